"""The public news questions (../shared/data/newsqa/dev.jsonl) and their calibration/held-out split."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.errors import UsageError


@dataclass(frozen=True)
class NewsQuestion:
    """One question of ../shared/data/newsqa/dev.jsonl."""

    id: str
    question: str
    answers: tuple[str, ...]
    article_id: str
    answer_start: int | None
    answerable: bool
    kind: str = ""


def load_news_questions(path: str | Path) -> list[NewsQuestion]:
    questions = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                questions.append(
                    NewsQuestion(
                        id=str(record["id"]),
                        question=record["question"],
                        answers=tuple(record.get("answers") or ()),
                        article_id=str(record.get("article_id") or ""),
                        answer_start=record.get("answer_start"),
                        answerable=bool(record.get("answerable", True)),
                        kind=record.get("kind", ""),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise UsageError(f"{path}:{number}: not a question record ({error})") from error
    return questions


def split_by_article(questions: Sequence[NewsQuestion], part: str) -> list[NewsQuestion]:
    """The questions of the articles at even ("calibration") or odd ("held-out") positions of the
    sorted article ids: the split on which Newsdesk's archive threshold was chosen and checked."""
    if part not in ("calibration", "held-out"):
        raise UsageError(f"unknown split {part!r}; choose calibration or held-out")
    articles = sorted({q.article_id for q in questions})
    chosen = set(articles[0 if part == "calibration" else 1 :: 2])
    return [q for q in questions if q.article_id in chosen]
