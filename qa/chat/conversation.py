"""The conversation as Gradio holds it: messages' text, and the user's earlier questions."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from qa.questions import QuestionError, check_question


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
