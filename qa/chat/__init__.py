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

One module a part: `page` (the layout and its wiring), `handlers` (what each action does),
`panels` (what the side panels and status show), `refusals` (refusing input, no server paths),
`conversation` (the chat history's questions), `indexing` (building the index beside the chat),
`style` (CSS and the scrolling scripts). This module starts the server.
"""

from __future__ import annotations

import logging
import threading

import gradio as gr

from qa.chat.conversation import previous_questions, text_of
from qa.chat.indexing import Indexing
from qa.chat.page import EXAMPLES, QUESTION_CONCURRENCY, build_app
from qa.chat.panels import archive_note, filter_note, removal_message
from qa.chat.refusals import Refusal, for_client, refusal_error, refuse
from qa.chat.style import CSS
from qa.login_gate import LoginGate
from qa.newsdesk import Newsdesk
from qa.serve_options import ServeOptions
from qa.uploads import TRANSFER_LIMIT_FACTOR

__all__ = [
    "EXAMPLES",
    "QUESTION_CONCURRENCY",
    "Indexing",
    "Refusal",
    "archive_note",
    "build_app",
    "filter_note",
    "for_client",
    "launch",
    "launch_options",
    "previous_questions",
    "refusal_error",
    "refuse",
    "removal_message",
    "text_of",
]

log = logging.getLogger(__name__)


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
