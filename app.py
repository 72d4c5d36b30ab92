"""Newsdesk's browser chat: ``python app.py`` (or ``newsdesk serve``), then open http://127.0.0.1:7860.

A thin Gradio 6 UI over `qa.Newsdesk`: a chat that answers with quoted, cited spans; a sources
panel that highlights the span inside its passage (from the reader's offsets); an upload panel
that indexes new articles incrementally; a date filter; the index status.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import gradio as gr

from qa import Newsdesk
from qa.articles import ARTICLE_SUFFIXES
from qa.cli import quiet_model_loading
from qa.newsdesk import QuestionError
from qa.schema import Answer, Citation

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CSS = "#source .token-container, #source .token { display: inline; } #source .text { word-break: normal; }"
MAX_UPLOAD_FILES = 20
NOT_FOUND = "I couldn't find that in the articles."
EXAMPLES = [
    "Who will Putin meet during his visit?",
    "When does Putin's visit to China begin?",
    "How long is Putin's state visit?",
    "What did China continue to export to Russia?",
]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def escape(text: str) -> str:
    """Article text shown as text: no HTML, no Markdown markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _when(citation: Citation | None) -> str:
    return citation.date if citation and citation.date else "undated"


def format_answer(reply: Answer) -> str:
    if not reply.found or reply.citation is None:
        lines = [NOT_FOUND]
        if reply.passages:
            lines.append("\nThe closest passages:")
            for passage in reply.passages[:3]:
                snippet = passage.text if len(passage.text) <= 200 else passage.text[:200] + "…"
                lines.append(f"- *{escape(passage.title)}* ({passage.date or 'undated'}): {escape(snippet)}")
        return "\n".join(lines)
    citation = reply.citation
    offset = citation.start - citation.sentence_start
    sentence = citation.sentence
    quoted = (
        escape(sentence[:offset])
        + "**"
        + escape(sentence[offset : offset + len(citation.quote)])
        + "**"
        + escape(sentence[offset + len(citation.quote) :])
    )
    return (
        f"**{escape(reply.text)}**\n\n"
        f"> {quoted}\n\n"
        f"Source: *{escape(citation.title)}* — {_when(citation)} · characters {citation.start}–{citation.end}"
        f" · confidence {reply.confidence:.0%}"
    )


def highlighted_passage(reply: Answer) -> list[tuple[str, str | None]]:
    """The cited passage split at the reader's offsets: [(before, None), (span, label), (after, None)]."""
    citation = reply.citation
    if not reply.found or citation is None:
        return []
    passage = citation.passage
    start, end = citation.start - passage.start, citation.end - passage.start
    parts = [(passage.text[:start], None), (passage.text[start:end], "answer"), (passage.text[end:], None)]
    return [(text, label) for text, label in parts if text]


def other_passages(reply: Answer) -> str:
    cited = reply.citation.passage.chunk_id if reply.found and reply.citation else None
    lines = []
    for rank, passage in enumerate(reply.passages, 1):
        if passage.chunk_id == cited:
            continue
        lines.append(f"{rank}. *{escape(passage.title)}* ({passage.date or 'undated'})  \n{escape(passage.text)}")
    return "\n\n".join(lines) or "No other passages."


def check_date(value: str | None, name: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise QuestionError(f"The {name} date must look like 2024-05-14 (got {value!r}).") from error


def previous_questions(history: Sequence[dict]) -> list[str]:
    questions = []
    for message in history:
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "user" and isinstance(content, str):
            questions.append(content)
    return questions


def save_uploads(
    paths: Sequence[str | Path], articles_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[list[Path], list[str]]:
    """Copy uploaded files into ``articles_dir`` under safe names; refuse wrong types and sizes.
    Returns (saved files, problems)."""
    articles_dir = articles_dir.resolve()
    saved, problems = [], []
    if len(paths) > MAX_UPLOAD_FILES:
        return [], [f"At most {MAX_UPLOAD_FILES} files at a time."]
    for path in paths:
        source = Path(path)
        name = _SAFE_NAME.sub("_", Path(str(path).replace("\\", "/")).name).lstrip("._") or "article"
        if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
            problems.append(f"{Path(path).name}: not an article file (use {', '.join(ARTICLE_SUFFIXES)})")
            continue
        size = source.stat().st_size
        if size > max_bytes:
            problems.append(f"{name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
            continue
        target = (articles_dir / name).resolve()
        if target.parent != articles_dir:
            problems.append(f"{name}: refused (outside the articles folder)")
            continue
        shutil.copyfile(source, target)
        saved.append(target)
    return saved, problems


def index_status(desk: Newsdesk) -> str:
    status = desk.status()
    updated = time.strftime("%Y-%m-%d %H:%M", time.localtime(status.updated)) if status.updated else "never"
    return f"**{status.articles}** articles · **{status.chunks}** passages · updated {updated}"


def build_app(desk: Newsdesk, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> gr.Blocks:
    """The chat UI over ``desk`` (already warmed up, or warmed up on the first question)."""

    def chat(message: str, history: list[dict], date_from: str, date_to: str):
        try:
            reply = desk.answer(
                message,
                date_from=check_date(date_from, "from"),
                date_to=check_date(date_to, "to"),
                history=previous_questions(history),
            )
        except QuestionError as error:
            return str(error), [], ""
        return format_answer(reply), highlighted_passage(reply), other_passages(reply)

    def add_articles(files: list[str] | None, progress: gr.Progress = gr.Progress()):  # noqa: B008 - Gradio's idiom
        if not files:
            return "Choose one or more article files first.", index_status(desk)
        progress(0.1, desc="Saving files")
        saved, problems = save_uploads(files, desk.articles_dir, max_upload_bytes)
        lines = [f"Refused: {escape(p)}" for p in problems]
        if saved:
            progress(0.3, desc=f"Indexing {len(saved)} file(s)")
            report = desk.sync()
            lines.insert(0, f"Indexed: {escape(report.summary())}")
            lines += [f"Skipped: {escape(p)}" for p in report.problems]
        return "  \n".join(lines), index_status(desk)

    with gr.Blocks(title="Newsdesk") as app:
        gr.Markdown("# Newsdesk\nAsk about the news archive. Every answer quotes an article and says where it stands.")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Accordion("Filter by date", open=False), gr.Row():
                    date_from = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="date-from")
                    date_to = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="date-to")
                source = gr.HighlightedText(
                    label="Source passage (answer highlighted)",
                    color_map={"answer": "yellow"},
                    combine_adjacent=False,
                    show_legend=False,
                    elem_id="source",
                    render=False,
                )
                others = gr.Markdown(elem_id="other-passages", render=False)
                gr.ChatInterface(
                    chat,
                    chatbot=gr.Chatbot(elem_id="chat", height=460, sanitize_html=True, render_markdown=True),
                    textbox=gr.Textbox(placeholder="Ask a question about the articles…", elem_id="question"),
                    additional_inputs=[date_from, date_to],
                    additional_outputs=[source, others],
                    examples=[[question, "", ""] for question in EXAMPLES],
                    run_examples_on_click=True,
                    cache_examples=False,
                    api_name="chat",
                    concurrency_limit=1,
                )
            with gr.Column(scale=2):
                source.render()
                with gr.Accordion("Other passages", open=False):
                    others.render()
                with gr.Accordion("Add articles", open=False):
                    status = gr.Markdown(index_status(desk), elem_id="index-status")
                    uploads = gr.File(
                        label=f"Articles ({', '.join(ARTICLE_SUFFIXES)}; "
                        f"up to {max_upload_bytes // 1_000_000} MB each)",
                        file_count="multiple",
                        file_types=list(ARTICLE_SUFFIXES),
                        elem_id="upload",
                    )
                    add = gr.Button("Add to the archive", elem_id="add-articles")
                    added = gr.Markdown(elem_id="upload-result")
                    add.click(add_articles, uploads, [added, status], api_name="add_articles", concurrency_limit=1)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Newsdesk's browser chat")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--articles", help="articles folder (default: seeds/ or $NEWSDESK_ARTICLES)")
    parser.add_argument("--index", help="index folder (default: index/ or $NEWSDESK_INDEX)")
    parser.add_argument("--max-upload-mb", type=float, default=MAX_UPLOAD_BYTES / 1e6)
    args = parser.parse_args(argv)
    quiet_model_loading()
    desk = Newsdesk(articles_dir=args.articles, index_dir=args.index)
    desk.warm_up()  # syncs a stale index and loads both models before the first question
    max_bytes = int(args.max_upload_mb * 1e6)
    app = build_app(desk, max_bytes)
    app.queue(max_size=64).launch(
        server_name=args.host,
        server_port=args.port,
        max_file_size=max_bytes,
        show_error=True,
        theme=gr.themes.Soft(),
        css=CSS,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
