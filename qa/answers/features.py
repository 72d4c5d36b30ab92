"""The evidence for a candidate answer, as numbers: what the answer-or-abstain model reads.

A candidate is one distinct answer among the reader's spans. Its features describe how strongly
the reader prefers it (its score, its margin over a different answer), whether retrieval agrees
that its passage is about the question (the dense cosine, BM25, both rankings finding it), whether
its sentence mentions what the question asks about, whether it is the kind of answer asked for,
and how many other articles report the same answer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from qa.answers.asked import ASKED_FEATURES, asked_evidence
from qa.answers.kinds import asks_yes_or_no, kind_match, question_kind
from qa.answers.quoting import with_its_hedge, without_hedge
from qa.answers.rules import answers_nothing, in_dateline, is_the_one_asked_about, names_no_money
from qa.chunking import sentence_at
from qa.schema import Passage, Reading, Span
from qa.words import ASKING_WORDS, FUNCTION_WORDS, STEM_LETTERS, STOPWORDS, WORD, normalize_answer

# The features, in the order the model stores its weights.
FEATURES: tuple[str, ...] = (
    "score",
    "margin",
    "support",
    "rank",
    "dense",
    "bm25",
    "both_rankings",
    "sentence_coverage",
    "passage_coverage",
    "kind_match",
    "kind_known",
    "words",
    *ASKED_FEATURES,  # does the span's sentence say what was asked (qa.answers.asked)
)
# A passage's best span supports an answer when the reader prefers it to abstaining there.
SUPPORT_MIN_SCORE = 0.0
# Scores and margins beyond these say nothing more (and keep one odd window from dominating).
SCORE_RANGE = (-30.0, 40.0)
MARGIN_CAP = 20.0
CANDIDATES = 5
# A text is about the question when it mentions at least this share of the question's topic words
# (`coverage`): half, so "the escape room fire" is not "a fire". What a timeline's other articles
# (`qa.answers.story`) and the articles offered for a broad question (`qa.answers.vague`) must meet.
ABOUT_THE_QUESTION = 0.5


@dataclass(frozen=True)
class Candidate:
    """One distinct answer: its best span, that span's passage, and the other articles' spans
    that give the same answer."""

    span: Span
    passage: Passage
    supporters: tuple[Span, ...]
    features: Mapping[str, float]


def same_answer(a: str, b: str) -> bool:
    """Whether two spans give the same answer: after SQuAD normalisation, one's words are all
    among the other's ("five" and "five girls"; not "five" and "six").

    >>> same_answer("Xi Jinping", "President Xi Jinping"), same_answer("five", "six girls")
    (True, False)
    >>> same_answer("under two hours", "less than two hours")  # the same figure, hedged (quoting)
    True
    """
    x, y = (set(normalize_answer(without_hedge(text)).split()) for text in (a, b))
    return bool(x and y) and (x <= y or y <= x)


def topic_words(question: str) -> list[str]:
    """The question's words that name what it is about (no stop words, no question words).

    >>> topic_words("How many people died in the Koszalin fire?")
    ['people', 'died', 'koszalin', 'fire']
    """
    ignored = STOPWORDS | FUNCTION_WORDS | ASKING_WORDS
    return [word for word in WORD.findall(question.lower()) if word not in ignored and len(word) > 1]


def coverage(words: Sequence[str], text: str) -> float:
    """The share of ``words`` that ``text`` mentions (matching on their first five letters).

    >>> coverage(["people", "died", "koszalin"], "Five girls died in a fire in Koszalin.")
    0.6666666666666666
    """
    if not words:
        return 1.0
    stems = {w[:STEM_LETTERS] for w in WORD.findall(text.lower())}
    return sum(w[:STEM_LETTERS] in stems for w in words) / len(words)


def candidates(
    question: str, passages: Sequence[Passage], reading: Reading, wanted: Collection[str] | None = None
) -> list[Candidate]:
    """The distinct candidate answers among the reader's spans and each passage's best span,
    best score first, at most `CANDIDATES`; spans that answer nothing or lie in a dateline are left
    out (`qa.answers.rules`). ``wanted``:
    the features the caller's judge reads (None: all); the costly ones it does not read are 0.0."""
    pool = sorted(
        {span for span in (*reading.spans, *(s for s in reading.per_passage if s is not None))},
        key=lambda span: -span.score,
    )
    pool = [with_its_hedge(question, span, passages[span.passage_index].text) for span in pool]  # "around 30"
    # A yes-or-no question gets the sentence of the reader's best span (qa.answers.yes_no): a span
    # that repeats the question may lead to it.
    echoes = asks_yes_or_no(question)
    pool = [
        span
        for span in pool
        if (echoes or not _never_the_answer(question, span, passages)) and not _in_dateline(span, passages)
    ]
    chosen: list[Span] = []
    for span in pool:
        if not any(same_answer(span.text, kept.text) for kept in chosen):
            chosen.append(span)
        if len(chosen) == CANDIDATES:
            break
    kind = question_kind(question)
    words = topic_words(question)
    top_bm25 = max((p.bm25_score for p in passages if p.bm25_score is not None), default=0.0)
    cosines = [p.dense_score for p in passages if p.dense_score is not None]
    floor_cosine = min(cosines, default=0.0)
    found: list[Candidate] = []
    for span in chosen:
        passage = passages[span.passage_index]
        rivals = [other.score for other in pool if not same_answer(other.text, span.text)]
        supporters = _supporters(span, passages, reading)
        start, end = sentence_at(passage.text, span.start, span.end)
        # Computed only for a judge that reads them (the shipped one does not): 4 ms a question.
        asked = (
            asked_evidence(question, passage.text[start:end], span.start - start, span.end - start)
            if wanted is None or not set(ASKED_FEATURES).isdisjoint(wanted)
            else (0.0,) * len(ASKED_FEATURES)
        )
        features = {
            "score": min(max(span.score, SCORE_RANGE[0]), SCORE_RANGE[1]),
            "margin": min(span.score - max(rivals), MARGIN_CAP) if rivals else MARGIN_CAP,
            "support": float(len(supporters)),
            "rank": float(span.passage_index),
            "dense": passage.dense_score if passage.dense_score is not None else floor_cosine,
            "bm25": (passage.bm25_score or 0.0) / top_bm25 if top_bm25 > 0 else 0.0,
            "both_rankings": float(passage.dense_score is not None and passage.bm25_score is not None),
            "sentence_coverage": coverage(words, passage.text[start:end]),
            "passage_coverage": coverage(words, f"{passage.title}\n{passage.text}"),
            "kind_match": kind_match(kind, span.text),
            "kind_known": float(kind != "other"),
            "words": float(min(len(span.text.split()), 10)),
            **dict(zip(ASKED_FEATURES, asked, strict=True)),
        }
        found.append(Candidate(span, passage, supporters, features))
    return found


def _never_the_answer(question: str, span: Span, passages: Sequence[Passage]) -> bool:
    """A span that only repeats the question, that names the person the question asks about
    someone else ("Who stabbed the mayor?" -> the mayor), or no money when it asks how much money:
    qa.answers.rules."""
    text = passages[span.passage_index].text
    return (
        answers_nothing(question, span.text)
        or is_the_one_asked_about(question, text, span.start, span.end)
        or names_no_money(question, span.text)
    )


def _in_dateline(span: Span, passages: Sequence[Passage]) -> bool:
    return in_dateline(passages[span.passage_index].text, span.start, span.end)


def _supporters(span: Span, passages: Sequence[Passage], reading: Reading) -> tuple[Span, ...]:
    """The best span of each other article whose passages give the same answer as ``span``."""
    own = passages[span.passage_index].article_id
    by_article: dict[str, Span] = {}
    for other in reading.per_passage:
        if other is None or other.score < SUPPORT_MIN_SCORE or not same_answer(other.text, span.text):
            continue
        if _in_dateline(other, passages):
            continue  # a dateline reports nothing
        article = passages[other.passage_index].article_id
        if article != own and (article not in by_article or other.score > by_article[article].score):
            by_article[article] = other
    return tuple(sorted(by_article.values(), key=lambda s: -s.score))
