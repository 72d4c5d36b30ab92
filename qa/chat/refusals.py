"""Refusing a request: one log line, a message that says what to change, no server paths;
and the fields whose values must be text."""

from __future__ import annotations

import logging
import re

import gradio as gr

from qa.render import escape_markdown

log = logging.getLogger(__name__)


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
