"""What the chat does when asked: answer (the page's chat, ``/chat`` and ``/answer``), add and
remove articles, and keep the status line and the archive list current. One object over one
`Newsdesk`; `qa.chat.page` lays the page out and wires these to it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import gradio as gr

from qa.chat.conversation import previous_questions
from qa.chat.indexing import Indexing
from qa.chat.panels import (
    archive_note,
    article_panel,
    article_rows,
    other_passages,
    removal_message,
    source_panel,
    status_line,
)
from qa.chat.refusals import Refusal, refusal_error, refuse
from qa.index import IndexUnavailableError
from qa.newsdesk import Newsdesk
from qa.questions import DEFAULT_TOP_K, QuestionError
from qa.render import answer_dict, escape_markdown, render_markdown
from qa.schema import Answer
from qa.uploads import save_uploads

log = logging.getLogger(__name__)


class ChatHandlers:
    """The chat's actions over ``desk``; ``indexing`` says whether its index is ready."""

    def __init__(self, desk: Newsdesk, indexing: Indexing, max_upload: int) -> None:
        self.desk = desk
        self.indexing = indexing
        self.max_upload = max_upload

    def ask(
        self,
        question: str,
        history: list[str],
        date_from: str | None,
        date_to: str | None,
        top_k: int,
        source: str | None = None,
    ) -> Answer:
        """The answer, or `Refusal` saying why there is none to give."""
        waiting = self.indexing.problem()
        if waiting:
            raise Refusal(waiting)
        try:
            return self.desk.answer(
                question, top_k=top_k, date_from=date_from, date_to=date_to, source=source, history=history
            )
        except QuestionError as error:
            raise Refusal(str(error)) from error
        except IndexUnavailableError as error:
            log.error("no index to answer from: %s", error)
            raise Refusal("The archive's index is not available; the server's terminal says why.") from error

    def chat(
        self,
        message: str,
        history: list[dict],
        date_from: str | None = None,
        date_to: str | None = None,
        source: str | None = None,
        request: gr.Request = None,  # type: ignore[assignment] - Gradio fills it in
    ) -> tuple[str, str, str, str]:
        """The page's chat (and ``/chat``): the reply as Markdown, then the source, article and
        other-passage panels."""
        try:
            reply = self.ask(message, previous_questions(history), date_from, date_to, DEFAULT_TOP_K, source)
        except Refusal as refusal:
            return refuse(str(refusal), request), "", "", ""
        return render_markdown(reply), source_panel(reply), article_panel(self.desk, reply), other_passages(reply)

    def answer(
        self,
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
            reply = self.ask(question, history or [], date_from, date_to, top_k, source)
        except Refusal as refusal:
            raise refusal_error(str(refusal)) from refusal
        return answer_dict(reply, self.desk.precision())

    def refresh(self, query: str | None = "") -> tuple[str, list[list[str]]]:
        """The status line and the archive list (empty until the index is ready)."""
        if not self.indexing.ready.is_set() or self.indexing.error:
            return status_line(self.desk, self.indexing), []
        return status_line(self.desk, self.indexing), article_rows(self.desk, query)

    def tick(self, query: str | None, listed: bool) -> tuple[str, object, bool, gr.Timer]:
        """Every second while the index is built, then every 30 s (`newsdesk index` run beside the
        chat changes the archive too). The article list is sent once the index is ready."""
        ready = self.indexing.ready.is_set()
        line = status_line(self.desk, self.indexing)
        rows = article_rows(self.desk, query) if ready and not listed and not self.indexing.error else gr.skip()
        return line, rows, ready, gr.Timer(30.0 if ready else 1.0)

    def search_archive(self, query: str | None) -> tuple[list[list[str]], str]:
        rows = article_rows(self.desk, query)
        return rows, archive_note(rows, query)

    def add_articles(
        self,
        files: list[str] | None,
        request: gr.Request = None,  # type: ignore[assignment]
    ) -> Iterator[tuple[str, str, list[list[str]]]]:
        """Save the uploads that can be read, then index them, saying how far it is."""
        if not files:
            yield "Choose one or more article files first.", *self.refresh()
            return
        if self.indexing.problem():
            yield refuse(str(self.indexing.problem()), request, "Not added"), *self.refresh()
            return
        desk = self.desk
        ids, texts = desk.upload_catalogue()  # one read of the folder
        report = save_uploads(files, desk.articles_dir, ids, self.max_upload, texts)
        lines = escape_markdown(report.summary()).splitlines()
        if not report.saved:
            yield "  \n".join(lines), *self.refresh()
            return
        progress = Indexing()
        progress.progress = "starting"
        worker = threading.Thread(target=progress.build, args=(desk,), daemon=True)
        worker.start()
        while worker.is_alive():
            yield "  \n".join([*lines, f"Indexing: {progress.progress}…"]), *self.refresh()
            worker.join(0.5)
        # The error's text may name server folders: it is in the server's log (Indexing.build).
        outcome = "The index could not be updated; the server's terminal says why." if progress.error else "Indexed."
        yield "  \n".join([*lines, escape_markdown(outcome)]), *self.refresh()

    def remove_article(
        self,
        article_id: str,
        query: str,
        request: gr.Request = None,  # type: ignore[assignment]
    ) -> tuple[str, str, object]:
        """Take an article (or a copy of one) out of the archive, saying what became of it."""
        article_id = (article_id or "").strip()
        desk, indexing = self.desk, self.indexing
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
        return removal_message(article_id, title, copies), status_line(desk, indexing), article_rows(desk, query)
