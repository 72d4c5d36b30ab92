"""Questions made unanswerable, as they arise over a news archive.

SQuAD 2.0's training set is not available here, so abstention is taught (and measured) with
unanswerable questions made from answerable SQuAD v1.1 ones, in four settings:

- ``left-out``: the question against the passage a retriever ranks highest for it once its own
  paragraph is left out: on-topic, plausible, and without the answer;
- ``sentence-removed``: its own paragraph with the sentence that holds the answer cut out;
- ``entity-swapped``: its key name, year or number swapped for one of the same kind from another
  article's question (SQuAD 2.0's adversarial style), over its own paragraph;
- ``antonym-swapped``: one of its words turned into its opposite ("born" -> "killed", "first" ->
  "last"), over its own paragraph: the subject is there, and so is a plausible answer of the right
  kind, but not the fact asked for. SQuAD 2.0's writers made a fifth of its unanswerable questions
  this way (Rajpurkar et al., 2018, table 2), and they are the kind the news questions written to
  be unanswerable ask ("On what date was Walter Munk born?" over an article on his death).

A made example whose passage still holds a gold answer (or, when swapped, the new entity or a
word of the opposite's family) is dropped: it might be answerable after all. The pure helpers (`key_entity`,
`without_answer_sentence`, `swap_entity`) are shared with the answer model's training data.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa.chunking import sentence_spans
from qa.errors import UsageError
from qa.squad import SquadExample
from qa.words import STOPWORDS, WORD

SETTINGS = ("left-out", "sentence-removed", "entity-swapped", "antonym-swapped")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w'’-]+(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'’-]+)*")


def key_entity(question: str) -> tuple[str, str] | None:
    """The entity a question turns on, and its kind: the longest capitalised name (not the
    question's first word), else a year, else a number.

    >>> key_entity("When did Beyoncé release Dangerously in Love?")
    ('Dangerously', 'name')
    >>> key_entity("What happened to the Notre Dame de Paris in 2019?")
    ('Notre Dame de Paris', 'name')
    >>> key_entity("what happened in 1931?")
    ('1931', 'year')
    """
    names = _NAME.findall(question)
    if names:
        return max(names, key=len), "name"
    if year := _YEAR.search(question):
        return year.group(0), "year"
    if number := _NUMBER.search(question):
        return number.group(0), "number"
    return None


def without_answer_sentence(text: str, start: int, end: int) -> str:
    """``text`` with the sentence(s) overlapping ``[start, end)`` cut out.

    >>> without_answer_sentence("It rained. Ann won the race. Bob came second.", 15, 18)
    'It rained. Bob came second.'
    """
    kept, position = [], 0
    for sentence_start, sentence_end in sentence_spans(text):
        if sentence_start < end and start < sentence_end:
            kept.append(text[position:sentence_start])
            position = sentence_end
            while position < len(text) and text[position].isspace():
                position += 1
    kept.append(text[position:])
    return "".join(kept)


def entity_pool(items: Sequence[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The key entities of ``(question, group)`` pairs by kind, each with its question's group
    (questions of one group never lend each other entities).

    >>> entity_pool([("Who founded Rome?", "a"), ("What happened in 1931?", "b")])
    {'name': [('Rome', 'a')], 'year': [('1931', 'b')]}
    """
    pool: dict[str, list[tuple[str, str]]] = {}
    for question, group in items:
        if found := key_entity(question):
            pool.setdefault(found[1], []).append((found[0], group))
    return pool


def swap_entity(
    question: str, group: str, pool: dict[str, list[tuple[str, str]]], rng: random.Random, avoid: str = ""
) -> str | None:
    """``question`` with its key entity replaced by another of the same kind from another group,
    never one that appears in ``avoid`` (the passage it will be asked over); None when it has no
    key entity or no replacement fits.

    >>> swap_entity("Who founded Rome in 753?", "a", {"name": [("Paris", "b")]}, random.Random(0))
    'Who founded Paris in 753?'
    """
    found = key_entity(question)
    if found is None:
        return None
    entity, kind = found
    avoided = avoid.lower()
    choices = [e for e, g in pool.get(kind, []) if g != group and e != entity and e.lower() not in avoided]
    if not choices:
        return None
    return question.replace(entity, rng.choice(choices), 1)


# Opposites, both ways. The words of one side pair up with the other side's, form for form ("won"
# -> "lost", "win" -> "lose"); a word with no partner at its place takes the other side's first
# ("dropped" -> "increase"), which can be bad English ("When did X born?" for "When did X die?"),
# but the reader reads a question for what it asks. Each side is also the family whose presence in
# a passage suggests it may state the opposite fact after all (then nothing is made).
_OPPOSITE_FAMILIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("born", "birth"), ("killed", "death", "died", "dies", "dead")),  # "When was X born?" -> "killed"
    (("won", "win", "wins", "victory"), ("lost", "lose", "loses", "defeat", "defeated")),
    (("first",), ("last", "final")),
    (("largest", "biggest"), ("smallest",)),
    (("highest",), ("lowest",)),
    (("most",), ("least", "fewest")),
    (("longest",), ("shortest",)),
    (("oldest",), ("youngest", "newest")),
    (("earliest",), ("latest", "last")),
    (("maximum",), ("minimum",)),
    (("before",), ("after",)),
    (("increase", "increased", "rise", "rose"), ("decrease", "decreased", "fall", "fell", "drop", "dropped")),
    (("north", "northern"), ("south", "southern")),
    (("east", "eastern"), ("west", "western")),
    (("opened", "open"), ("closed", "close")),
    (("began", "start", "started", "begin"), ("ended", "end", "ended", "end", "finished", "stop", "stopped")),
    (("bought", "buy", "purchased"), ("sold", "sell", "sold")),
    (("arrived", "arrive"), ("left", "leave", "departed", "depart")),
    (("import", "imports", "imported"), ("export", "exports", "exported")),
    (("accepted", "accept", "approved", "approve"), ("rejected", "reject", "refused", "refuse")),
    (("supported", "support"), ("opposed", "oppose")),
    (("upper",), ("lower",)),
    (("inside",), ("outside",)),
    (("strongest",), ("weakest",)),
    (("success", "successful"), ("failure", "unsuccessful")),
)
_OPPOSITE: dict[str, str] = {}  # each word and the opposite it becomes
_FAMILY: dict[str, frozenset[str]] = {}  # each word and its opposite's family
for _one, _other in _OPPOSITE_FAMILIES:
    for _words, _opposites in ((_one, _other), (_other, _one)):
        for _position, _word in enumerate(_words):
            _OPPOSITE.setdefault(_word, _opposites[_position] if _position < len(_opposites) else _opposites[0])
            _FAMILY.setdefault(_word, frozenset(_opposites))


def swap_antonym(question: str, avoid: str = "") -> str | None:
    """``question`` with its first lower-case word that has an opposite turned into it (a
    capitalised word is part of a name: "First Avenue"), unless ``avoid`` (the passage it will be
    asked over) mentions any word of the opposite's family; None when no word of the question has
    an opposite.

    >>> swap_antonym("When was Walter Munk born?", avoid="Walter Munk died on Friday in La Jolla.")
    >>> swap_antonym("When was Walter Munk born?", avoid="Walter Munk, 101, was an oceanographer.")
    'When was Walter Munk killed?'
    >>> swap_antonym("Who won the First Round in 1998?")
    'Who lost the First Round in 1998?'
    """
    avoided = set(WORD.findall(avoid.lower()))
    for match in WORD.finditer(question):
        word = match.group(0)
        lowered = word.lower()
        if lowered not in _OPPOSITE or word[:1].isupper():  # a capitalised word is part of a name
            continue
        if not avoided.isdisjoint(_FAMILY[lowered]):
            return None
        return question[: match.start()] + _OPPOSITE[lowered] + question[match.end() :]
    return None


def _mentions(text: str, answers: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(a.strip() and a.lower() in lowered for a in answers)


def _terms(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if word not in STOPWORDS]


class _TfIdf:
    """Cosine similarity of sublinear TF-IDF vectors through an inverted index, in NumPy alone:
    so that training runs where scikit-learn is not installed (the lent GPU machine). Measured here:
    the 18,891 SQuAD v1.1 train paragraphs index in 2.1 s, then 0.4 ms per question."""

    def __init__(self, texts: Sequence[str]) -> None:
        counted = [Counter(_terms(text)) for text in texts]
        frequency = Counter(term for counts in counted for term in counts)
        self.idf = {term: math.log((1 + len(texts)) / (1 + df)) + 1.0 for term, df in frequency.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for number, counts in enumerate(counted):
            weights = {t: (1.0 + math.log(c)) * self.idf[t] for t, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for term, weight in weights.items():
                ids, values = postings.setdefault(term, ([], []))
                ids.append(number)
                values.append(weight / norm)
        self.postings = {t: (np.array(i), np.array(v)) for t, (i, v) in postings.items()}
        self.size = len(texts)

    def similarities(self, query: str) -> np.ndarray:
        scores = np.zeros(self.size)
        for term, count in Counter(_terms(query)).items():
            if term in self.postings:
                ids, values = self.postings[term]
                scores[ids] += (1.0 + math.log(count)) * self.idf[term] * values
        return scores


def _left_out(examples: Sequence[SquadExample], contexts: Sequence[str]) -> list[str | None]:
    """For each example, the highest-ranked paragraph of ``contexts`` other than its own (TF-IDF
    cosine with the question) that does not hold its answer."""
    contexts = list(dict.fromkeys(contexts))
    position = {c: i for i, c in enumerate(contexts)}
    index = _TfIdf(contexts)
    found: list[str | None] = []
    for example in examples:
        row = index.similarities(example.question)
        if example.context in position:
            row[position[example.context]] = -1.0
        best = None
        for number in np.argsort(-row, kind="stable")[:8]:
            if row[number] > 0 and not _mentions(contexts[number], example.answers):
                best = contexts[number]
                break
        found.append(best)
    return found


def unanswerable_examples(
    examples: Sequence[SquadExample],
    settings: Sequence[str],
    rng: random.Random,
    one_each: bool = False,
    contexts: Sequence[str] | None = None,
) -> list[SquadExample]:
    """Unanswerable versions of the answerable ``examples``, with ids ``<id>/<setting>`` and no
    answers: one per example and setting that applies, or with ``one_each`` one per example, in a
    setting drawn at random among those that apply to it (only a sixth of questions have a word
    with an opposite, so a draw among all settings would often make nothing). ``left-out``
    retrieves from ``contexts`` (default: the examples' own).
    """
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise UsageError(f"unknown settings {sorted(unknown)}: choose from {', '.join(SETTINGS)}")
    answerable = [e for e in examples if e.answers]
    left_out: list[str | None] = [None] * len(answerable)
    if "left-out" in settings:
        left_out = _left_out(answerable, contexts if contexts is not None else [e.context for e in examples])
    entities = entity_pool([(e.question, e.title) for e in answerable]) if "entity-swapped" in settings else {}

    made: list[SquadExample] = []
    for example, other_context in zip(answerable, left_out, strict=True):
        order = list(settings)
        if one_each:
            rng.shuffle(order)
        for setting in order:
            if (found := _version(example, setting, other_context, entities, rng)) is not None:
                made.append(found)
                if one_each:
                    break
    return made


def _version(
    example: SquadExample, setting: str, other_context: str | None, entities: dict, rng: random.Random
) -> SquadExample | None:
    """``example`` made unanswerable in ``setting``, or None where the setting does not apply."""
    question: str | None = example.question
    context: str | None = example.context
    if setting == "left-out":
        context = other_context
    elif setting == "sentence-removed":
        context = _without_answer(example)
    elif setting == "entity-swapped":
        question = swap_entity(example.question, example.title, entities, rng, avoid=example.context)
    elif setting == "antonym-swapped":
        question = swap_antonym(example.question, avoid=example.context)
    if question is None or context is None:
        return None
    return replace(
        example, id=f"{example.id}/{setting}", question=question, context=context, answers=(), answer_starts=()
    )


def _without_answer(example: SquadExample) -> str | None:
    """The context without the sentence that holds the answer, or None when the answer is still
    there (it was in more than one sentence) or nothing is left."""
    start = example.answer_starts[0]
    context = without_answer_sentence(example.context, start, start + len(example.answers[0]))
    return None if not context.strip() or _mentions(context, example.answers) else context
