"""Newsdesk's browser chat, a Gradio 6 UI over `qa.Newsdesk` (start it with ``python app.py`` or
``newsdesk serve``; the options are in `qa.serving`).

- The chat answers with the quoted span, its article (title, date) and confidence; follow-ups use
  the conversation. Its API: ``/chat`` (the question alone, filters optional) returns the reply
  as Markdown; ``/answer`` returns JSON (text, found, confidence, citations with offsets).
- Beside it: the cited passage with the answer marked inline, the whole article scrolled to the
  span, and the other passages read.
- A date filter that is checked on the field and always shows when it is on.
- Unless read-only: uploads with progress, and the archive's article list with search and remove.
- The page opens at once; while the index is built, the status line says how far it is.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import gradio as gr

from qa.articles import ARTICLE_SUFFIXES
from qa.index import IndexUnavailableError
from qa.login_gate import LoginGate
from qa.newsdesk import Newsdesk
from qa.questions import DEFAULT_TOP_K, QuestionError, check_filters, check_question
from qa.render import answer_dict, article_html, escape_markdown, passage_html, render_markdown
from qa.schema import Answer
from qa.serve_options import ServeOptions
from qa.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, TRANSFER_LIMIT_FACTOR, save_uploads

if TYPE_CHECKING:
    from qa.index import SyncProgress

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who will Putin meet during his visit?",
    "When does Putin's visit to China begin?",
    "How long is Putin's state visit?",
    "What did China continue to export to Russia?",
]
UNDATED_RULE = "Articles without a date are left out while a date filter is on."
# Questions answered at once, per door (the browser's chat, the /chat API and /answer each have
# their own limit in Gradio): the reader and retrieval release the GIL, so two questions share the
# two cores better than one. 20 users over /chat: 11.1 questions/s, p95 2.1 s (bench/serving.py
# --load); one at a time answered 6-7.6/s with p95 3.0-3.8 s.
QUESTION_CONCURRENCY = 2
CSS = """
mark.answer { background: #fde68a; color: #111827; padding: 0 .15em; border-radius: .2em; }
.source-title a { color: #1d4ed8; }
.source-date { color: #374151; margin-left: .5em; }
#article-view .article { max-height: 22rem; overflow-y: auto; padding-right: .5rem; }
#filter-note { min-height: 1.5em; }
#chat .top-panel { position: static; justify-content: flex-end; }  /* never over the reply's text */
#to-source { display: none; }
#filter-note .filter-error { color: #991b1b; font-weight: 600; }
footer, footer a, footer button { color: #1f2937 !important; opacity: 1 !important; }
@media (max-width: 640px) {
  #chat { height: 340px !important; }
  #to-source { display: block; text-align: right; }
  #article-list td:nth-child(3), #article-list th:nth-child(3) { white-space: nowrap; font-size: .75rem; }
  .examples, .examples * { white-space: normal !important; max-width: 100% !important; }
}
"""
# After a reply arrives, show its first line (the answer) at the top of the conversation box, and
# the box in the page: on a phone Gradio's autoscroll showed the reply's end (the title and
# confidence) with the answer above the fold.
SCROLL_TO_ANSWER = """() => {
  const show = () => {
    const wrap = document.querySelector('#chat .bubble-wrap');
    const rows = document.querySelectorAll('#chat .message-row.bot-row');
    const last = rows[rows.length - 1];
    if (!wrap || !last) return;
    wrap.scrollTop += last.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
    const top = last.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 120) window.scrollBy(0, top - 80);
  };
  for (const wait of [60, 250, 600]) setTimeout(show, wait);  // after Gradio has drawn the reply
}"""
SCROLL_TO_SPAN = """() => { setTimeout(() => {
  const box = document.querySelector('#article-view .article');
  const mark = document.querySelector('#article-view #cited-span');
  if (box && mark) { box.scrollTop = mark.offsetTop - box.offsetTop - box.clientHeight / 3; }
}, 50); }"""


def text_of(content: object) -> str:
    """A chat message's text: Gradio 6 gives a browser's messages as lists of parts
    (``[{"type": "text", "text": ...}]``) and an API caller's as plain strings.

    >>> text_of("Who?"), text_of([{"type": "text", "text": "Who"}, {"type": "text", "text": " else?"}])
    ('Who?', 'Who else?')
    >>> text_of([{"type": "file", "file": {}}])
    ''
    """
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text", "") if content.get("type", "text") == "text" else ""
    if isinstance(content, Sequence):
        return "".join(text_of(part) for part in content)
    return ""


def previous_questions(history: Sequence[object]) -> list[str]:
    """The user's earlier questions in a Gradio chat history, oldest first. A question that was
    refused (Gradio keeps it in the history) is left out, so it cannot spoil the ones after it."""
    questions = []
    for message in history or ():
        if isinstance(message, dict) and message.get("role") == "user":
            with contextlib.suppress(QuestionError):
                questions.append(check_question(text_of(message.get("content"))))
    return questions


class Indexing:
    """The state of the archive's index as the page shows it: built, or being built (and how far)."""

    def __init__(self, announce_every: float = 5.0) -> None:
        self.ready = threading.Event()
        self.progress = ""
        self.error = ""
        self.announce_every = announce_every  # seconds between progress lines on the terminal
        self._announced = 0.0

    def tell(self, state: SyncProgress) -> None:
        self.progress = state.describe()
        now = time.monotonic()
        if now - self._announced >= self.announce_every or state.articles_done == state.articles_total:
            self._announced = now
            log.warning("indexing: %s", self.progress)

    def build(self, desk: Newsdesk) -> None:
        """Sync the index and load the models (in a thread, while the page already answers)."""
        try:
            self.progress = "reading the articles folder"
            report = desk.sync(on_progress=self.tell)
            for problem in report.problems:
                log.warning("skipped: %s", problem)
            self.progress = "all passages embedded; loading the models"
            desk.warm_up()
            log.warning("index ready: %s", report.summary())
        except Exception as error:  # shown on the page and the terminal instead of a dead thread
            self.error = str(error)
            log.error("the index could not be built: %s", error)
        finally:
            self.ready.set()

    def problem(self) -> str | None:
        """Why questions cannot be answered yet, or None."""
        if self.error:
            return "The index could not be built; the server's terminal says why."
        if not self.ready.is_set():
            return f"The archive is still being indexed ({self.progress}). Ask again in a moment."
        return None


class Refusal(Exception):
    """A request that cannot be served as asked; the message says why and what to do."""


# An absolute path in a message: "/srv/news/index" (not the "//" of a URL, nor "and/or").
_SERVER_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s/'\"`;,()]+/?)+")


def for_client(message: str) -> str:
    """A message as a client may see it: no server paths (the terminal's log has them).

    >>> for_client("no index at /srv/news/index; build one with `newsdesk index`")
    'no index at (a server folder); build one with `newsdesk index`'
    >>> for_client("see https://example.org/a/b and 2024/05")
    'see https://example.org/a/b and 2024/05'
    """
    return _SERVER_PATH.sub("(a server folder)", message)


# Gradio writes a .pyi stub beside any module that subclasses one of its components (into the
# installed package), so the two fields below are plain components whose conversion is replaced.


def strict_text(box: gr.Textbox) -> gr.Textbox:
    """``box``, refusing a value that is not text: Gradio's Textbox turns an API caller's 5 or
    ``["Who?"]`` into "5" and "['Who?']" and answers them."""
    convert = box.preprocess

    def preprocess(payload: object) -> str | None:
        if payload is not None and not isinstance(payload, str):
            raise refusal_error(f"The {(box.label or 'value').lower()} must be text, not {type(payload).__name__}.")
        return convert(payload)

    box.preprocess = preprocess  # type: ignore[method-assign]
    return box


def upload_field(box: gr.File) -> gr.File:
    """The upload field, whose ``file_types`` then filter only the browser's file picker: a file of
    another type (dropped, or sent by a script) reaches `save_uploads`, which refuses it naming the
    file and the formats, instead of Gradio's raw "Invalid file type" error for the whole batch."""
    from gradio.utils import NamedString

    box._process_single_file = lambda f: NamedString(f.path)  # type: ignore[method-assign]
    return box


def from_browser(request: gr.Request | None) -> bool:
    """Whether the page made this call (not a script): a browser sends its page's Origin or Referer;
    gradio_client says it is the API."""
    if request is None:
        return False
    headers = request.headers
    return headers.get("x-gradio-user") != "api" and ("origin" in headers or "referer" in headers)


def refuse(message: str, request: gr.Request | None, title: str = "Check the question") -> str:
    """A refusal as scripts expect it (an error: gradio_client raises AppError) or, for the page,
    as a message to show: a raised error would leave Gradio's chat box disabled."""
    if from_browser(request):
        message = for_client(message)
        log.warning("refused: %s", message)
        return f"⚠️ {escape_markdown(message)}"
    raise refusal_error(message, title)


def refusal_error(message: str, title: str = "Check the question") -> gr.Error:
    """The error a script gets for a refused request (gradio_client raises it as AppError). The
    server's log gets one line for it, not three chained tracebacks."""
    message = for_client(message)
    log.warning("refused: %s", message)
    return gr.Error(message, title=title, print_exception=False)


def status_line(desk: Newsdesk, indexing: Indexing) -> str:
    if indexing.error:  # the details (with server paths) are on the server's terminal
        return "**Index not available**: it could not be built; the server's terminal says why."
    if not indexing.ready.is_set():
        return f"**Building the index**: {escape_markdown(indexing.progress)}…"
    status = desk.status(check_stale=False)
    updated = time.strftime("%d %b %Y %H:%M", time.localtime(status.updated)) if status.updated else "never"
    return f"**{status.articles:,}** articles · **{status.chunks:,}** passages · updated {updated}"


def filter_note(date_from: str | None, date_to: str | None, source: str | None = None) -> str:
    """What the filters do, or what is wrong with them, shown under the fields.

    >>> filter_note("", "", "AP")
    '**Filter on**: only articles from AP.'
    """
    try:
        filters = check_filters(date_from, date_to, source)
    except QuestionError as error:
        return f'<span class="filter-error" role="alert">{escape_markdown(str(error))}</span>'
    if not filters.active:
        return "No filter: every article can answer."
    undated = f" {UNDATED_RULE}" if filters.date_from or filters.date_to else ""
    return f"**Filter on**: only articles {escape_markdown(filters.describe())}.{undated}"


def source_panel(reply: Answer) -> str:
    citation = reply.citation
    if not reply.found or citation is None:
        return ""
    return passage_html(citation.passage, (citation.start, citation.end))


def article_panel(desk: Newsdesk, reply: Answer) -> str:
    citation = reply.citation
    if not reply.found or citation is None:
        return ""
    article = desk.article(citation.article_id)
    if article is None:
        return ""
    return article_html(article.title, article.date, article.url, article.text, (citation.start, citation.end))


def other_passages(reply: Answer) -> str:
    cited = reply.citation.passage.chunk_id if reply.found and reply.citation else None
    shown = [passage_html(p) for p in reply.passages if p.chunk_id != cited]
    return "".join(shown) or "<p>No other passages.</p>"


def article_rows(desk: Newsdesk, query: str | None = "") -> list[list[str]]:
    """The archive's articles (title, date, id), filtered by words of ``query`` (in those or the
    source)."""
    words = (query or "").lower().split()
    rows = []
    for entry in desk.list_articles():
        copy = f" (same text as {entry['duplicate_of']})" if entry.get("duplicate_of") else ""
        row = [entry["title"] + copy, entry["date"] or "undated", entry["id"]]
        if all(any(word in cell.lower() for cell in (*row, entry["source"])) for word in words):
            rows.append(row)
    return rows


def archive_note(rows: Sequence[object], query: str | None) -> str:
    """What the archive list shows, in words: a search that matches nothing says so instead of
    showing bare column headers.

    >>> archive_note([], "volcano"), archive_note([["t", "d", "i"]], ""), archive_note([], "")
    ('No article matches “volcano”.', '1 article.', 'The archive is empty.')
    """
    query = (query or "").strip()
    if not rows:
        return f"No article matches “{escape_markdown(query)}”." if query else "The archive is empty."
    return f"{len(rows):,} article{'s' if len(rows) != 1 else ''}" + (
        f" match “{escape_markdown(query)}”." if query else "."
    )


def removal_message(article_id: str, title: str, copies: Sequence[str]) -> str:
    """What happened to the user's article, in their terms.

    >>> removal_message("a1", "Bridge reopens", [])[:62]
    'Removed “Bridge reopens” (a1): it no longer answers questions.'
    >>> removal_message("a1", "Bridge reopens", ["a1-2"]).splitlines()[1][:48]
    'Its copy a1-2 (the same text) is still in the ar'
    """
    line = (
        f"Removed “{escape_markdown(title)}” ({escape_markdown(article_id)}): it no longer answers questions. "
        "Its file is kept in the articles folder's .removed/, from where it can be put back."
    )
    if copies:
        many = len(copies) > 1
        names = ", ".join(escape_markdown(c) for c in copies)
        line += (
            f"\nIts cop{'ies' if many else 'y'} {names} (the same text) {'are' if many else 'is'} still in the "
            f"archive and answer{'' if many else 's'} in its place: remove {'them' if many else 'it'} too to take "
            "the story out."
        )
    return line


def build_app(
    desk: Newsdesk,
    read_only: bool = False,
    max_upload: int = MAX_UPLOAD_BYTES,
    indexing: Indexing | None = None,
) -> gr.Blocks:
    """The chat UI over ``desk``: without uploads and removal when ``read_only``. ``indexing``
    tells whether its index is ready (built in the background by `start`); without one the
    index is taken as ready."""
    if indexing is None:
        indexing = Indexing()
        indexing.ready.set()

    def ask(
        question: str,
        history: list[str],
        date_from: str | None,
        date_to: str | None,
        top_k: int,
        source: str | None = None,
    ) -> Answer:
        waiting = indexing.problem()
        if waiting:
            raise Refusal(waiting)
        try:
            return desk.answer(
                question, top_k=top_k, date_from=date_from, date_to=date_to, source=source, history=history
            )
        except QuestionError as error:
            raise Refusal(str(error)) from error
        except IndexUnavailableError as error:
            log.error("no index to answer from: %s", error)
            raise Refusal("The archive's index is not available; the server's terminal says why.") from error

    def chat(
        message: str,
        history: list[dict],
        date_from: str | None = None,
        date_to: str | None = None,
        source: str | None = None,
        request: gr.Request = None,  # type: ignore[assignment] - Gradio fills it in
    ) -> tuple[str, str, str, str]:
        try:
            reply = ask(message, previous_questions(history), date_from, date_to, DEFAULT_TOP_K, source)
        except Refusal as refusal:
            return refuse(str(refusal), request), "", "", ""
        return render_markdown(reply), source_panel(reply), article_panel(desk, reply), other_passages(reply)

    def answer(
        question: str,
        history: list[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        top_k: int = DEFAULT_TOP_K,
        source: str | None = None,
    ) -> dict:
        """Answer a question from the archive. history: the earlier questions of the conversation,
        oldest first; source: only articles from this source (e.g. "Wikinews"). Returns text,
        found, confidence and citations (article id, title, date, url,
        start and end offsets in the article's text, sentence)."""
        try:
            return answer_dict(ask(question, history or [], date_from, date_to, top_k, source), desk.precision())
        except Refusal as refusal:
            raise refusal_error(str(refusal)) from refusal

    with gr.Blocks(title="Newsdesk") as app:
        gr.Markdown("# Newsdesk\nAsk about the news archive. Every answer quotes an article and says where it stands.")
        status = gr.Markdown(elem_id="index-status", label="status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                with gr.Row():
                    date_from = strict_text(
                        gr.Textbox(
                            value="", label="From date", placeholder="YYYY-MM-DD", elem_id="date-from", max_lines=1
                        )
                    )
                    date_to = strict_text(
                        gr.Textbox(value="", label="To date", placeholder="YYYY-MM-DD", elem_id="date-to", max_lines=1)
                    )
                    source_filter = strict_text(
                        gr.Textbox(value="", label="Source", placeholder="any", elem_id="source-filter", max_lines=1)
                    )
                note = gr.Markdown(filter_note("", ""), elem_id="filter-note")
                source = gr.HTML(label="Source", elem_id="source", render=False)
                article = gr.HTML(label="Whole article", elem_id="article-view", render=False)
                others = gr.HTML(label="Other passages", elem_id="other-passages", render=False)
                conversation = gr.Chatbot(
                    elem_id="chat",
                    height=460,
                    sanitize_html=True,
                    render_markdown=True,
                    label="Conversation",
                    show_label=False,  # its badge covered the first line of the reply on a phone
                    autoscroll=False,  # SCROLL_TO_ANSWER shows the answer line instead of the reply's end
                    buttons=["copy"],  # a copy button per message; no share or copy-all toolbar
                )
                gr.ChatInterface(
                    chat,
                    chatbot=conversation,
                    textbox=strict_text(
                        gr.Textbox(
                            placeholder="Ask a question about the articles…",
                            label="Your question",
                            elem_id="question",
                            max_lines=4,
                            submit_btn="Ask",
                        )
                    ),
                    additional_inputs=[date_from, date_to, source_filter],
                    additional_outputs=[source, article, others],
                    examples=[[question, None, None, None] for question in EXAMPLES],
                    run_examples_on_click=True,
                    cache_examples=False,
                    api_name="chat",
                    concurrency_limit=QUESTION_CONCURRENCY,
                )
                # On a phone the Source panel stacks below the question box: one tap away.
                gr.HTML(
                    '<a href="#source-heading">The answer\'s source, marked in its passage ↓</a>', elem_id="to-source"
                )
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### Source", elem_id="source-heading")
                source.render()
                with gr.Accordion("Whole article", open=True, elem_id="article-panel"):
                    article.render()
                with gr.Accordion("Other passages read", open=False):
                    others.render()
                if not read_only:
                    with gr.Accordion("Add articles", open=False, elem_id="add-panel"):
                        uploads = upload_field(
                            gr.File(
                                label=f"Articles, {max_upload / 1e6:g} MB each, {MAX_UPLOAD_FILES} at a time",
                                file_count="multiple",
                                file_types=list(ARTICLE_SUFFIXES),
                                elem_id="upload",
                            )
                        )
                        gr.Markdown(f"Formats: {', '.join(ARTICLE_SUFFIXES)}", elem_id="upload-formats")
                        add = gr.Button("Add to the archive", elem_id="add-articles")
                        added = gr.Markdown(elem_id="upload-result", label="result")
                with gr.Accordion("Archive", open=False, elem_id="archive-panel"):
                    find = gr.Textbox(label="Find articles", placeholder="words of a title, date, source or id")
                    listing = gr.Dataframe(
                        headers=["Title", "Date", "Id"],
                        label="articles",
                        interactive=False,
                        wrap=True,
                        column_widths=["58%", "17%", "25%"],
                        elem_id="article-list",
                        max_height=360,
                    )
                    listed_note = gr.Markdown(elem_id="archive-note")
                    if not read_only:
                        with gr.Row():
                            remove_id = gr.Textbox(label="Id of the article to remove", elem_id="remove-id")
                            remove = gr.Button("Remove", variant="stop", elem_id="remove-article")
                        removed = gr.Markdown(elem_id="remove-result", label="result")

        def refresh(query: str | None = "") -> tuple[str, list[list[str]]]:
            if not indexing.ready.is_set() or indexing.error:
                return status_line(desk, indexing), []
            return status_line(desk, indexing), article_rows(desk, query)

        def tick(query: str | None, listed: bool) -> tuple[str, object, bool, gr.Timer]:
            # Every second while the index is built, then every 30 s (`newsdesk index` run beside
            # the chat changes the archive too). The article list is sent once the index is ready.
            ready = indexing.ready.is_set()
            line = status_line(desk, indexing)
            rows = article_rows(desk, query) if ready and not listed and not indexing.error else gr.skip()
            return line, rows, ready, gr.Timer(30.0 if ready else 1.0)

        listed = gr.State(indexing.ready.is_set())
        timer = gr.Timer(30.0 if indexing.ready.is_set() else 1.0)
        timer.tick(
            tick, [find, listed], [status, listing, listed, timer], api_visibility="private", show_progress="hidden"
        )
        app.load(refresh, find, [status, listing], api_visibility="private")

        def search_archive(query: str | None) -> tuple[list[list[str]], str]:
            rows = article_rows(desk, query)
            return rows, archive_note(rows, query)

        find.change(search_archive, find, [listing, listed_note], api_visibility="private")
        for field in (date_from, date_to, source_filter):
            field.blur(filter_note, [date_from, date_to, source_filter], note, api_visibility="private")
            field.submit(filter_note, [date_from, date_to, source_filter], note, api_visibility="private")
        article.change(None, js=SCROLL_TO_SPAN)
        conversation.change(None, js=SCROLL_TO_ANSWER)
        gr.api(answer, api_name="answer", concurrency_limit=QUESTION_CONCURRENCY)

        if not read_only:

            def add_articles(
                files: list[str] | None,
                request: gr.Request = None,  # type: ignore[assignment]
            ) -> Iterator[tuple[str, str, list[list[str]]]]:
                if not files:
                    yield "Choose one or more article files first.", *refresh()
                    return
                if indexing.problem():
                    yield refuse(str(indexing.problem()), request, "Not added"), *refresh()
                    return
                report = save_uploads(files, desk.articles_dir, desk.article_ids(), max_upload, desk.article_texts())
                lines = escape_markdown(report.summary()).splitlines()
                if not report.saved:
                    yield "  \n".join(lines), *refresh()
                    return
                progress = Indexing()
                progress.progress = "starting"
                worker = threading.Thread(target=progress.build, args=(desk,), daemon=True)
                worker.start()
                while worker.is_alive():
                    yield "  \n".join([*lines, f"Indexing: {progress.progress}…"]), *refresh()
                    worker.join(0.5)
                outcome = f"Index could not be updated: {progress.error}" if progress.error else "Indexed."
                yield "  \n".join([*lines, escape_markdown(outcome)]), *refresh()

            def remove_article(
                article_id: str,
                query: str,
                request: gr.Request = None,  # type: ignore[assignment]
            ) -> tuple[str, str, object]:
                article_id = (article_id or "").strip()
                if indexing.problem() or not article_id:
                    why = indexing.problem() or "Type the id of the article to remove (the Id column)."
                    return refuse(why, request, "Not removed"), status_line(desk, indexing), gr.skip()
                listed = {entry["id"]: entry for entry in desk.list_articles()}
                copies = sorted(i for i, entry in listed.items() if entry.get("duplicate_of") == article_id)
                try:
                    desk.remove_article(article_id)
                except (QuestionError, OSError, ValueError) as error:
                    return refuse(str(error), request, "Not removed"), status_line(desk, indexing), gr.skip()
                title = listed[article_id]["title"] if article_id in listed else article_id
                line = removal_message(article_id, title, copies)
                return line, status_line(desk, indexing), article_rows(desk, query)

            add.click(
                add_articles,
                uploads,
                [added, status, listing],
                api_name="add_articles",
                concurrency_limit=1,
                concurrency_id="archive-writes",
            ).then(lambda: None, None, uploads, api_visibility="private")  # a second click adds nothing twice
            remove.click(
                remove_article,
                [remove_id, find],
                [removed, status, listing],
                api_name="remove_article",
                concurrency_limit=1,
                concurrency_id="archive-writes",
            )
    return app


def launch(desk: Newsdesk, options: ServeOptions) -> None:
    """Start building the index in the background and serve the chat until interrupted."""
    from qa.heap import keep_heap_small

    keep_heap_small()
    indexing = Indexing()
    threading.Thread(target=indexing.build, args=(desk,), daemon=True, name="index-build").start()
    app = build_app(desk, options.read_only, options.max_upload_bytes, indexing)
    log.warning("serving http://%s:%d/ (the index is built in the background)", options.host, options.port)
    app.queue(max_size=256).launch(**launch_options(options))


def launch_options(options: ServeOptions) -> dict:
    """Gradio's launch arguments for ``options``. No FastAPI docs (/openapi.json named every
    route); behind a login, the `LoginGate` in front of every route; ``show_error=False`` so that
    an unexpected exception's text (which may name server paths) stays in the server's log:
    refusals are `gr.Error` and are shown anyway."""
    app_kwargs: dict = {"openapi_url": None, "docs_url": None, "redoc_url": None}
    if options.auth:
        from starlette.middleware import Middleware

        app_kwargs["middleware"] = [Middleware(LoginGate)]
    return {
        "server_name": options.host,
        "server_port": options.port,
        "auth": list(options.auth) or None,
        "max_file_size": options.max_upload_bytes * TRANSFER_LIMIT_FACTOR,
        "show_error": False,
        "theme": gr.themes.Soft(),
        "css": CSS,
        "quiet": True,
        "state_session_capacity": options.max_sessions,
        "app_kwargs": app_kwargs,
    }
