"""Answer or abstain: judge every candidate answer, keep the likeliest, and answer only when it
clears ``min_confidence``. Also what the answer's evidence shows: the other articles of its story
that give the same answer (`confirming`), and, when dated articles of the answer's story
disagree, the answers as a timeline (`qa.answers.story` decides what is one story). A question
that asks yes or no gets the sentence that bears on it instead (`evidence`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from qa.answers.features import Candidate, candidates, same_answer
from qa.answers.kinds import AnswerKind, asks_yes_or_no, kind_match, question_kind
from qa.answers.selective import Judge
from qa.answers.story import Report, on_topic, same_story
from qa.answers.yes_no import bears_on, evidence_bounds
from qa.chunking import sentence_at
from qa.schema import Passage, Reading, Span
from qa.span_decoding import merge_readings
from qa.words import LATEST_WORDS, NUMBER_WORDS, normalize_answer

# The reader's best distinct spans per question that become candidate answers: the pool the
# decision weighs, in Newsdesk and in the answer model's training alike.
SPANS_READ = 3


# The best passage is read alone first, and the others only when its answer is less likely right
# than this. On the news questions 64% of questions then stop after one passage, at the same F1,
# citation accuracy and no-answer precision/recall as reading all four (down to 0.7 nothing
# moved): `python bench/read_less.py`. Not `SURE` (0.97), the level shown as "very likely
# right": that is set by how often shown answers are right, this by whether reading on changes
# them, and reading on below 0.97 changed answers without making them better.
READ_ON_BELOW = 0.8
_LATEST = re.compile(r"\b(?:" + "|".join(re.escape(words) for words in LATEST_WORDS) + r")\b(?!-)", re.IGNORECASE)
_OPENING_NOW = re.compile(r"\A\s*now\b,?", re.IGNORECASE)  # "Now, who did he meet?" asks nothing of now
# A question in the present tense asks how things stand too: "Who is the governor?", "How many
# people in the US have died?": its first auxiliary is one of these ("Who was...", "How many died?",
# "Who will...", "What did... say it has" do not).
_AUXILIARY = re.compile(r"\b(is|are|was|were|has|have|had|do|does|did|will|would|shall|should|can|could)\b", re.I)
_PRESENT_AUXILIARIES = frozenset("is are has have".split())
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_FIGURE = re.compile(r"\d|\b(?:" + "|".join(sorted(NUMBER_WORDS)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Judged:
    candidate: Candidate
    probability: float  # that this candidate is the right answer


@dataclass(frozen=True)
class Decision:
    found: bool
    # Every candidate, likeliest first; for a question about now (`asks_for_latest`), the latest
    # report's answer on the timeline first.
    judged: tuple[Judged, ...]
    # When articles of the answer's story, of different dates, give different answers that each
    # clear the threshold: one per date, latest first. Empty otherwise.
    timeline: tuple[Judged, ...] = ()
    # The other articles that give the best candidate's answer and tell its story (`confirming`),
    # best first: what the answer cites after its own span.
    confirmed_by: tuple[Span, ...] = ()
    # The question asks yes or no (`qa.answers.yes_no`): the one candidate is the sentence that
    # bears on it most, for the reader to judge, not an answer.
    yes_no: bool = False
    # Other figures the answer's own article gives for a how-many question, each likely enough to
    # be given itself (`rival_figures`): the answer is then never shown as sure.
    rivals: tuple[Judged, ...] = ()

    @property
    def best(self) -> Judged | None:
        return self.judged[0] if self.judged else None

    @property
    def text(self) -> str:
        """What is said: the best candidate's words when it is given, nothing when Newsdesk abstains."""
        return self.judged[0].candidate.span.text if self.found and self.judged else ""

    @property
    def confidence(self) -> float:
        """How likely the best candidate, given or withheld, is right (0 with no candidate)."""
        return self.judged[0].probability if self.judged else 0.0

    @property
    def score(self) -> float:
        """The reader's score of the best candidate, given or withheld (0 with no candidate)."""
        return self.judged[0].candidate.span.score if self.judged else 0.0

    @property
    def cited(self) -> tuple[Span, ...]:
        """What an answer cites: the best candidate's span, then the other articles' spans that
        give the same answer in the same story (``confirmed_by``). Nothing when Newsdesk abstains."""
        if not self.found:
            return ()
        return (self.judged[0].candidate.span, *self.confirmed_by)

    @property
    def alternatives(self) -> tuple[Span, ...]:
        """The other candidates' spans, likeliest first. When Newsdesk abstains, the withheld best
        candidate leads them, so that what was not said can still be shown as such."""
        spans = tuple(judged.candidate.span for judged in self.judged)
        return spans[1:] if self.found else spans


def decide(
    question: str,
    passages: Sequence[Passage],
    reading: Reading,
    judge: Judge,
    min_confidence: float | None = None,
    earlier: Sequence[str] = (),
) -> Decision:
    """The decision for ``question`` over the passages the reader read (``min_confidence`` None
    takes the judge's default). For a follow-up, ``earlier`` holds the earlier questions of its
    topic (`qa.follow_ups.topic_of`): then only an article that names something the
    conversation names may answer (`on_topic`), not one of another story that the follow-up's
    words also fit ("How many people were aboard?" after a question on a plane Iran shot down,
    answered from a bus crash in Russia)."""
    threshold = threshold_in_use(judge, min_confidence)
    conversation = " ".join([*earlier, question])
    judged = sorted(
        (
            Judged(c, judge.probability(c.features))
            for c in candidates(question, passages, reading, judge.features)
            if not earlier or on_topic(conversation, c.passage.title, c.passage.text)
        ),
        key=lambda j: -j.probability,
    )
    found = bool(judged) and judged[0].probability >= threshold
    if asks_yes_or_no(question):
        return evidence(question, judged, passages)
    line = timeline(question, judged, threshold) if found else ()
    if line and asks_for_latest(question):  # the latest report's answer leads, however likely another
        judged = [line[0], *(entry for entry in judged if entry is not line[0])]
    confirmed = confirming(question, judged[0], passages) if found else ()
    rivals = rival_figures(question, judged, threshold) if found else ()
    return Decision(found, tuple(judged), line, confirmed, rivals=rivals)


# Rival figures shown beside an answer at most.
RIVALS_SHOWN = 2


def rival_figures(question: str, judged: Sequence[Judged], threshold: float) -> tuple[Judged, ...]:
    """For a question that asks how many, the other figures the best candidate's own article gives
    that clear ``threshold`` too, likeliest first: "How many crew members were rescued?" -> "six"
    (the crew) at 99% beside "Five" (those rescued) at 97%, in one article about one boat. A
    journalist must see both; neither can be shown as sure.

    >>> from qa.answers.features import Candidate
    >>> from qa.schema import Passage, Span
    >>> boat = Passage(0, "boat", "Boat fire", "2019-09-02", "", "", 0, 9, "six. Five.", 0.1, 0.5, 1.0)
    >>> def judged(text, start, p, article=boat):
    ...     return Judged(Candidate(Span(0, start, start + len(text), text, 9.0), article, (), {}), p)
    >>> best, rival = judged("six", 0, 0.99), judged("Five", 5, 0.97)
    >>> [r.candidate.span.text for r in rival_figures("How many were rescued?", [best, rival], 0.25)]
    ['Five']
    >>> rival_figures("Who was rescued?", [best, rival], 0.25), rival_figures("How many?", [best, rival], 0.98)
    ((), ())
    """
    if not judged or question_kind(question) != "number":
        return ()
    best = judged[0].candidate
    return tuple(
        other
        for other in judged[1:]
        if other.probability >= threshold
        and other.candidate.passage.article_id == best.passage.article_id
        and kind_match("number", other.candidate.span.text) == 1.0
        and not same_answer(other.candidate.span.text, best.span.text)
    )[:RIVALS_SHOWN]


def evidence(question: str, judged: Sequence[Judged], passages: Sequence[Passage]) -> Decision:
    """The decision for a question that asks yes or no (`qa.answers.yes_no`): the sentence that
    holds the best candidate's span (`evidence_bounds`), in its place and alone (no other
    candidates, no confirming articles, no timeline), shown when its article is about what the
    question asks (`bears_on`), however likely the span: the reader's probability is that a span
    answers a question a span can answer, which a yes-or-no question is not. In a walk-through,
    "Has Iran admitted downing the Ukrainian jet?" was declined at 16% beside the sentence that
    says it did."""
    if not judged:
        return Decision(False, (), yes_no=True)
    best = judged[0]
    span, passage = best.candidate.span, passages[best.candidate.span.passage_index]
    start, end = evidence_bounds(passage.text, span.start, span.end)
    sentence = Span(span.passage_index, start, end, passage.text[start:end], span.score)
    shown = Judged(replace(best.candidate, span=sentence, supporters=()), best.probability)
    return Decision(bears_on(question, passage), (shown,), yes_no=True)


def confirming(question: str, answer: Judged, passages: Sequence[Passage]) -> tuple[Span, ...]:
    """The spans of other articles that give ``answer``'s words (its candidate's supporters) and
    tell its story (`same_story`, a missing date allowed). An article that gives the same words
    about another story confirms nothing: on the news questions, "Wednesday" for the day
    Gillibrand ended her campaign was also "reported" by the article on Warren ending hers, and
    "March 15 to 17" for Toronto Comicon by one on another Toronto convention.

    >>> gillibrand = Passage(0, "a", "Gillibrand ends US presidential bid", "2019-08-30", "", "", 0, 40,
    ...                      "Gillibrand ended her campaign on Wednesday.", 0.1)
    >>> warren = Passage(1, "b", "Warren ends US presidential campaign", "2020-03-06", "", "", 0, 40,
    ...                  "Warren ended her campaign on Wednesday.", 0.1)
    >>> later = Passage(2, "c", "Gillibrand backs Biden after US bid", "2019-09-10", "", "", 0, 40,
    ...                 "Gillibrand, whose campaign ended on Wednesday, backed Biden.", 0.1)
    >>> spans = [Span(i, p.text.index("Wednesday"), p.text.index("Wednesday") + 9, "Wednesday", 9.0)
    ...          for i, p in enumerate((gillibrand, warren, later))]
    >>> answer = Judged(Candidate(spans[0], gillibrand, tuple(spans[1:]), {}), 0.9)
    >>> asked = "When did Gillibrand end her campaign?"
    >>> [s.passage_index for s in confirming(asked, answer, (gillibrand, warren, later))]
    [2]
    """
    own = report(answer)
    return tuple(
        span
        for span in answer.candidate.supporters
        if same_story(question, own, _report(span, passages[span.passage_index]), undated=True)
    )


def asks_for_latest(question: str) -> bool:
    """Whether ``question`` asks how things stand at the latest report ("now", "so far", or in the
    present tense: "Who is the governor?"): then,
    when the answer's story has a timeline, its latest answer is the answer.

    >>> asks_for_latest("Who is the governor of Puerto Rico now?"), asks_for_latest("How many died so far?")
    (True, True)
    >>> asks_for_latest("Who became governor after Rosselló resigned?"), asks_for_latest("Who knows?")
    (False, False)
    >>> asks_for_latest("Now, who did he meet?"), asks_for_latest("Who did the now-former governor appoint?")
    (False, False)
    >>> asks_for_latest("Who is still missing after the 2019 floods?")  # a year asks about then
    False
    >>> asks_for_latest("Who is the governor of Puerto Rico?"), asks_for_latest("How many people have died?")
    (True, True)
    >>> asks_for_latest("Who was the governor?"), asks_for_latest("How many people died?")
    (False, False)
    >>> asks_for_latest("How many people in the US have died?"), asks_for_latest("What did he say it has cost?")
    (True, False)
    """
    asked = _OPENING_NOW.sub("", question)
    first = _AUXILIARY.search(asked)
    present = first is not None and first.group(1).lower() in _PRESENT_AUXILIARIES
    now = present or _LATEST.search(asked) is not None
    return now and _YEAR.search(asked) is None


def decide_reading_less(
    question: str,
    passages: Sequence[Passage],
    read: Callable[[Sequence[int]], Reading],
    judge: Judge,
    min_confidence: float | None = None,
    read_on_below: float = READ_ON_BELOW,
    earlier: Sequence[str] = (),
) -> tuple[Decision, int]:
    """The decision, reading as few passages as it takes: ``read(indices)`` reads those
    passages (a reading over all of them). The best passage first. When its answer is sure (at
    least ``read_on_below``, and enough to be given), only the passages that could add to what
    is shown are read too (`worth_reading`, `could_date`); else all are. The passages read are weighed
    together, as if read at once (``earlier``: see `decide`). Also how many were read."""
    first = read([0])
    decision = decide(question, passages, first, judge, min_confidence, earlier)
    best = decision.best
    rest = list(range(1, len(passages)))
    if decision.found and best is not None and best.probability >= read_on_below:
        kind, answer = question_kind(question), best.candidate.span.text
        rest = [
            i
            for i in rest
            if worth_reading(answer, kind, passages[0], passages[i]) or could_date(question, best, passages[i])
        ]
    if not rest:
        return decision, 1
    merged = merge_readings(first, read(rest), SPANS_READ)
    return decide(question, passages, merged, judge, min_confidence, earlier), 1 + len(rest)


def worth_reading(answer: str, kind: AnswerKind, first: Passage, other: Passage) -> bool:
    """Whether, after a sure answer from ``first``, the passage ``other`` could change what is
    shown: another article that may report the same answer (it mentions one of the answer's words, which any span
    giving the same answer must: the other articles cited), or, for a figure, a different one on
    another date (a toll that rose: the timeline).

    >>> quake = Passage(0, "a", "Quake", "2023-02-08", "", "", 0, 30, "11,000 were killed.", None, None, None)
    >>> earlier = Passage(1, "b", "Quake", "2023-02-06", "", "", 0, 30, "1,500 were killed.", None, None, None)
    >>> worth_reading("11,000", "number", quake, earlier), worth_reading("Xi Jinping", "person", quake, earlier)
    (True, False)
    """
    if other.article_id == first.article_id:
        return False  # the answer's own article neither corroborates it nor dates another answer
    words = set(normalize_answer(answer).split())
    if words & set(normalize_answer(other.text).split()):
        return True
    return kind == "number" and bool(other.date) and other.date != first.date and _FIGURE.search(other.text) is not None


def could_date(question: str, answer: Judged, other: Passage) -> bool:
    """Whether ``other`` could put a sure answer on a timeline: a passage of another article, of
    another date, that tells the answer's story as far as it can be told before reading it (its
    title and text, `same_story`), whatever kind of answer is asked for (a hurricane's category, a
    governor's name).

    >>> first = Passage(0, "a", "Storm Ida upgraded", "2024-09-01", "", "", 0, 30, "Ida is a category 1 storm.", 0.1)
    >>> span = Span(0, 20, 21, "1", 9.0)
    >>> answer = Judged(Candidate(span, first, (), {}), 0.95)
    >>> later = Passage(1, "b", "Hurricane Ida strengthens", "2024-09-03", "", "", 0, 30, "Ida is now category 3.", 0.1)
    >>> other = Passage(2, "c", "Hurricane Bo strengthens", "2024-09-03", "", "", 0, 30, "Bo is now category 3.", 0.1)
    >>> asked = "What category is Hurricane Ida?"
    >>> could_date(asked, answer, later), could_date(asked, answer, other), could_date(asked, answer, first)
    (True, False, False)
    """
    own = answer.candidate.passage
    if other.article_id == own.article_id or not other.date or other.date == own.date:
        return False
    return same_story(question, report(answer), Report("", other.title, other.text, other.date))


def threshold_in_use(judge: Judge, min_confidence: float | None) -> float:
    """``min_confidence``, or the judge's default when it is None."""
    return judge.min_confidence if min_confidence is None else min_confidence


def timeline(question: str, judged: Sequence[Judged], threshold: float) -> tuple[Judged, ...]:
    """How the answer's story developed: the answer (``judged[0]``) and the different answers of
    other articles of its story (`same_story`) that are likely enough to be given on their own,
    the likeliest per date, latest first; empty unless there are two dates or more."""
    if not judged:
        return ()
    answer = report(judged[0])
    by_date: dict[str, Judged] = {}
    for entry in judged:  # likeliest first, so the first per date is kept
        date = entry.candidate.passage.date
        if entry.probability < threshold or not date or date in by_date:
            continue
        if entry is judged[0] or same_story(question, answer, report(entry)):
            by_date[date] = entry
    if len(by_date) < 2:
        return ()
    return tuple(by_date[date] for date in sorted(by_date, reverse=True))


def report(judged: Judged) -> Report:
    """What a candidate's article says: the sentence that holds its span, the title, the passage,
    the date and the span."""
    return _report(judged.candidate.span, judged.candidate.passage)


def _report(span: Span, passage: Passage) -> Report:
    start, end = sentence_at(passage.text, span.start, span.end)
    return Report(passage.text[start:end], passage.title, passage.text, passage.date, span.text)
