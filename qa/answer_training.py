"""Training data for the answer-or-abstain model, and fitting it (`newsdesk train-answer-model`).

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
from qa.answers import FEATURES, SelectiveModel, candidates, fit_selective, recalibrate
from qa.newsdesk import Newsdesk
from qa.schema import Passage
from qa.squad import best_over_golds, f1_score
from qa.unanswerable import swap_entity, without_answer_sentence

SETTINGS = ("asked", "left-out", "sentence-removed", "entity-swapped")
RIGHT_F1 = 0.5  # a candidate is right when its F1 with a gold answer reaches this
TOP_K = 5  # passages read per question, as Newsdesk reads them


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
        reading = self.desk.reader.read(asked, [p.text for p in passages], top_k=3)
        made = candidates(asked, passages, reading)
        return [
            Example(
                question.id,
                setting,
                dict(c.features),
                bool(answers) and best_over_golds(f1_score, c.span.text, answers) >= RIGHT_F1,
                rank,
                bool(answers),
            )
            for rank, c in enumerate(made)
        ]

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


# The share of questions with no answer in the archive that the shown confidence is calibrated for:
# that of the public news questions (24 of 192). Made-unanswerable examples are weighted to it.
UNANSWERABLE_SHARE = 0.125


def chosen(model: SelectiveModel, examples: Sequence[Example]) -> list[Example]:
    """Per question and setting, the candidate that Newsdesk would answer with (likeliest first)."""
    groups: dict[tuple[str, str], list[Example]] = {}
    for example in examples:
        if example.rank >= 0:
            groups.setdefault((example.question_id, example.setting), []).append(example)
    return [max(group, key=lambda e: model.probability(e.features)) for group in groups.values()]


def mix_weights(examples: Sequence[Example], unanswerable_share: float = UNANSWERABLE_SHARE) -> list[float]:
    """Weights that make unanswerable examples ``unanswerable_share`` of the total weight."""
    unanswerable = sum(not e.answerable for e in examples)
    answerable = len(examples) - unanswerable
    if not unanswerable or not answerable:
        return [1.0] * len(examples)
    ratio = unanswerable_share * answerable / ((1 - unanswerable_share) * unanswerable)
    return [1.0 if e.answerable else ratio for e in examples]


# Of the questions Newsdesk abstains on, at least this share must truly have no answer: a wrongly
# withheld answer costs the user as much as a wrong one, so the threshold is set by this.
NO_ANSWER_PRECISION = 0.85


def choose_min_confidence(
    model: SelectiveModel, examples: Sequence[Example], precision: float = NO_ANSWER_PRECISION
) -> float:
    """The highest threshold (in steps of 0.05) at which, among the questions of ``examples`` as
    asked (the "asked" setting), at least ``precision`` of those Newsdesk abstains on have no
    answer; the lowest threshold when none does."""
    answered = [e for e in chosen(model, examples) if e.setting == "asked"]
    probabilities = [model.probability(e.features) for e in answered]
    thresholds = [round(0.05 * step, 2) for step in range(1, 20)]

    def no_answer_precision(threshold: float) -> float:
        abstained = [e for p, e in zip(probabilities, answered, strict=True) if p < threshold]
        return sum(not e.answerable for e in abstained) / len(abstained) if abstained else 1.0

    meeting = [t for t in thresholds if no_answer_precision(t) >= precision]
    return max(meeting) if meeting else thresholds[0]


def fit(
    examples: Sequence[Example],
    calibration: Sequence[Example] | None = None,
    min_confidence: float | None = None,
    trained: dict | None = None,
    regularisation: float = 1.0,
    features: Sequence[str] = FEATURES,
) -> SelectiveModel:
    """The answer model: a logistic regression over every candidate of ``examples`` (which ranks
    candidates), then its logit rescaled on the candidates Newsdesk would answer with among
    ``calibration`` (default: ``examples``), weighted to `UNANSWERABLE_SHARE`, which makes the
    shown probability mean what it says for questions of that kind. ``min_confidence`` None
    chooses it on ``calibration`` (`choose_min_confidence`)."""
    usable = [e for e in examples if e.rank >= 0]
    ranking = fit_selective(
        [e.features for e in usable], [e.right for e in usable], features, regularisation=regularisation
    )
    calibrated_on = calibration if calibration is not None else usable
    answered = chosen(ranking, calibrated_on)
    model = recalibrate(ranking, [e.features for e in answered], [e.right for e in answered], mix_weights(answered))
    threshold = choose_min_confidence(model, calibrated_on) if min_confidence is None else min_confidence
    return model.with_min_confidence(threshold).with_trained(trained or {})


# --------------------------------------------------------------------------- the data sets


def squad_training_archive(
    squad_train: str | Path, folder: Path, heldout_articles: int = 8, distractor_articles: int = 40
) -> list[Question]:
    """Write an archive of SQuAD v1.1 train paragraphs (one article each) to ``folder`` and return
    the questions of the last ``heldout_articles`` articles (which the shipped reader never trained
    on); the ``distractor_articles`` before them are there to be retrieved wrongly."""
    data = json.loads(Path(squad_train).read_text(encoding="utf-8"))["data"]
    chosen = data[-(heldout_articles + distractor_articles) :]
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[Question] = []
    lines = []
    for number, article in enumerate(chosen):
        title = article["title"].replace("_", " ")
        heldout = number >= distractor_articles
        for paragraph_number, paragraph in enumerate(article["paragraphs"]):
            article_id = f"squad-{number:03d}-{paragraph_number:03d}"
            lines.append(json.dumps({"id": article_id, "title": title, "text": paragraph["context"]}))
            if not heldout:
                continue
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa["answers"])
                start = int(qa["answers"][0]["answer_start"])
                questions.append(Question(qa["id"], qa["question"], answers, article_id, start, title))
    (folder / "squad-paragraphs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return questions


def news_training_questions(path: str | Path) -> list[Question]:
    """The calibration half of the public news questions (`split_by_article`), as `Question`s;
    an unanswerable one has no answers."""
    from qa.evaluate import load_news_questions, split_by_article

    return [
        Question(
            q.id,
            q.question,
            q.answers if q.answerable else (),
            q.article_id,
            q.answer_start if q.answerable else None,
            q.article_id,
        )
        for q in split_by_article(load_news_questions(path), "calibration")
    ]
