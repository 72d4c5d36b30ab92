"""Labelled candidate answers for the answer-or-abstain model (`newsdesk train-answer-model`).

Every candidate answer that Newsdesk would weigh becomes one example: its features
(`qa.answers.features`) and whether it is right (F1 >= 0.5 with a gold answer). The questions are
asked the way Newsdesk asks them (retrieve, read, gather candidates) in settings where an answer
exists and in settings made to have none, as they arise over an archive:

- ``asked``: the question over the whole archive;
- ``left-out``: its own paragraph (SQuAD) or article (news) left out of the retrieved passages,
  leaving on-topic passages with no answer;
- ``sentence-removed``: its own paragraph with the sentence holding the answer cut out;
- ``entity-swapped``: its key name, year or number swapped for one of the same kind from another
  article's question (SQuAD 2.0's adversarial style), asked over the whole archive.

A question whose gold answer still appears in a passage of a made-unanswerable setting may be
answerable after all: it is skipped there. SQuAD questions come from the SQuAD v1.1 train
articles that the shipped reader never trained on (its last 8); the archive holds their paragraphs
and those of other train articles as distractors. Examples are appended to a JSON Lines file as
they are made, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from qa import unanswerable
from qa.answers import SPANS_READ, Candidate, candidates
from qa.asking import for_the_reader
from qa.newsdesk import Newsdesk
from qa.questions import DEFAULT_TOP_K as TOP_K  # passages read per question, as Newsdesk reads them
from qa.schema import Passage
from qa.squad import is_right
from qa.unanswerable import swap_entity, without_answer_sentence

SETTINGS = ("asked", "left-out", "sentence-removed", "entity-swapped")


@dataclass(frozen=True)
class Question:
    """A question with its gold answers and where they stand: ``source`` is the id of the
    article whose passages hold them, ``start`` the answer's offset in that article's text."""

    id: str
    question: str
    answers: tuple[str, ...]
    source: str
    start: int | None = None
    group: str = ""  # questions of one group never lend each other entities


@dataclass(frozen=True)
class Example:
    question_id: str
    setting: str
    features: dict[str, float]
    right: bool
    rank: int  # the candidate's place by reader score (0: what the reader liked best)
    answerable: bool = False  # whether the question has an answer in this setting


def mentions(passages: Iterable[Passage], answers: Sequence[str]) -> bool:
    """Whether any passage holds any gold answer (case-insensitive)."""
    return any(a.strip() and a.lower() in p.text.lower() for a in answers for p in passages)


class ExampleMaker:
    """Asks questions of a ready `Newsdesk` in the four settings and labels its candidates."""

    def __init__(self, desk: Newsdesk, seed: int = 13) -> None:
        self.desk = desk
        self.random = random.Random(seed)

    def examples(
        self, question: Question, settings: Sequence[str], entities: dict[str, list[tuple[str, str]]]
    ) -> list[Example]:
        found: list[Example] = []
        retrieved = self.desk.search(question.question, top_k=TOP_K + 8)
        for setting in settings:
            if setting == "asked":
                found += self._judge(question, question.question, retrieved[:TOP_K], question.answers, setting)
            elif setting == "left-out":
                others = [p for p in retrieved if p.article_id != question.source][:TOP_K]
                if not mentions(others, question.answers):
                    found += self._judge(question, question.question, others, (), setting)
            elif setting == "sentence-removed" and question.start is not None:
                passages = self._cut(retrieved[:TOP_K], question)
                if passages is not None and not mentions(passages, question.answers):
                    found += self._judge(question, question.question, passages, (), setting)
            elif setting == "entity-swapped":
                swapped = self._swap(question, entities)
                if swapped is not None:
                    passages = self.desk.search(swapped, top_k=TOP_K)
                    found += self._judge(question, swapped, passages, (), setting)
        return found

    def _judge(
        self, question: Question, asked: str, passages: Sequence[Passage], answers: Sequence[str], setting: str
    ) -> list[Example]:
        if not passages:
            return []
        return [
            Example(
                question.id,
                setting,
                dict(c.features),
                is_right(c.span.text, answers),
                rank,
                bool(answers),
            )
            for rank, c in enumerate(self.candidates_for(asked, passages))
        ]

    def candidates_for(self, asked: str, passages: Sequence[Passage]) -> list[Candidate]:
        """The candidate answers Newsdesk would weigh for ``asked`` over ``passages``, best first."""
        reading = self.desk.reader.read(for_the_reader(asked), [p.text for p in passages], top_k=SPANS_READ)
        return candidates(asked, passages, reading)

    def _cut(self, passages: Sequence[Passage], question: Question) -> list[Passage] | None:
        """The passages with the answer's sentence cut from those of its article that hold it."""
        assert question.start is not None
        end = question.start + max(len(a) for a in question.answers)
        cut, touched = [], False
        for passage in passages:
            if passage.article_id == question.source and passage.start <= question.start < passage.end:
                text = without_answer_sentence(passage.text, question.start - passage.start, end - passage.start)
                passage = replace(passage, text=text, end=passage.start + len(text))
                touched = True
            cut.append(passage)
        return cut if touched else None

    def _swap(self, question: Question, entities: dict[str, list[tuple[str, str]]]) -> str | None:
        return swap_entity(question.question, question.group, entities, self.random)


def entity_pool(questions: Sequence[Question]) -> dict[str, list[tuple[str, str]]]:
    """The key entities of all questions by kind, with their question's group."""
    return unanswerable.entity_pool([(q.question, q.group) for q in questions])


def make_examples(
    desk: Newsdesk, questions: Sequence[Question], out: Path, settings: Sequence[str] = SETTINGS, tag: str = ""
) -> Iterator[Example]:
    """Examples for every question, appended to ``out`` (JSON Lines) as they are made; questions
    already there (by ``tag`` and id) are read back instead of asked again."""
    done: set[str] = set()
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("tag") == tag:
                done.add(record["question_id"])
                if record["rank"] >= 0:
                    yield _example(record)
    maker = ExampleMaker(desk)
    pool = entity_pool(questions)
    with open(out, "a", encoding="utf-8") as handle:
        for question in questions:
            if question.id in done:
                continue
            made = maker.examples(question, settings, pool)
            # One line per question even when it made no examples, so that resuming skips it.
            for example in made or [Example(question.id, "none", {}, False, -1)]:
                handle.write(json.dumps({"tag": tag, **asdict(example)}) + "\n")
                if example.rank >= 0:
                    yield example
            handle.flush()


def _example(record: dict) -> Example:
    return Example(
        record["question_id"],
        record["setting"],
        record["features"],
        record["right"],
        record["rank"],
        record.get("answerable", False),
    )
