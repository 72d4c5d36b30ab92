"""Does the span's sentence say what was asked? The question's own predicate and role words
("detained as the suspect", "injured", "launched") against the sentence around a candidate span.

A reader sure of a span of the right kind can still take it from the wrong sentence: the victim's
name for "Who was detained as the suspect…?", the last Shuttle flight's date for "When was the
Crew Dragon launched?", the number of the dead for "How many were injured…?". The names of the
question (Gdańsk, Crew Dragon) and its event nouns (fire, visit) are shared by every sentence of
the article; its other words say which sentence answers it. Three numbers per span, all pure:

- `asked_coverage`: the share of those words (or a word of the same role: "arrested" for
  "detained", "wounded" for "injured") that the span's sentence holds outside the span;
- `asked_nearness`: ``1 / (1 + d)``, ``d`` the words between the span and the nearest of them in
  its sentence (0.0 when the sentence holds none);
- `rival_role`: 1.0 when the role word nearest the span is of a rival role to one asked ("victim"
  for a question about the suspect, "killed" for one about the injured), else 0.0.

>>> question = "Who was detained as the suspect in the Gdańsk stabbing?"
>>> asked_words(question)
['detained', 'suspect']
>>> victim = "The mayor of Gdańsk, Paweł Adamowicz, was stabbed on stage and died of his injuries."
>>> suspect = "The detained suspect's identity is restricted to 'Stefan W'."
>>> victim[21:36], suspect[50:58]
('Paweł Adamowicz', 'Stefan W')
>>> asked_evidence(question, victim, 21, 36), asked_evidence(question, suspect, 50, 58)
((0.0, 0.0, 1.0), (1.0, 0.16666666666666666, 0.0))
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.words import (
    ASKING_WORDS,
    EVENT_NOUNS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
    RIVAL_ROLES,
    ROLES,
    STEM_LETTERS,
    STOPWORDS,
    WORD,
)

ASKED_FEATURES = ("asked_coverage", "asked_nearness", "rival_role")
_PREPOSITIONS = frozenset("in at on of during after before from near for over since".split())
_IGNORED = STOPWORDS | FUNCTION_WORDS | ASKING_WORDS | GENERIC_WORDS | {"many", "much"}


def role_of(word: str) -> str | None:
    """The role a word names, if any.

    >>> role_of("Wounded"), role_of("suspects"), role_of("fire")
    ('injured', 'suspect', None)
    """
    lowered = word.lower()
    return next((role for role, words in ROLES.items() if lowered in words), None)


def asked_words(question: str) -> list[str]:
    """The question's words that say what is asked of its subject: neither names (capitalised
    after the first word), stop or asking words, event nouns (the fire, the visit), nor the noun
    that ends a phrase naming the subject ("in the Gdańsk stabbing"), unless it names a role.

    >>> asked_words("How many were injured in the Catalonia fire?")
    ['injured']
    >>> asked_words("When was the Crew Dragon launched?")
    ['launched']
    >>> asked_words("Who was detained as the suspect in the Gdańsk stabbing?")
    ['detained', 'suspect']
    """
    tokens = WORD.findall(question)
    found: list[str] = []
    for number, token in enumerate(tokens):
        word = token.lower()
        if word in _IGNORED or word in EVENT_NOUNS or len(word) < 3 or word.isdigit() or word in found:
            continue
        if (number > 0 and token[:1].isupper()) or (_names_subject(tokens, number) and role_of(word) is None):
            continue
        found.append(word)
    return found


def _names_subject(tokens: Sequence[str], number: int) -> bool:
    """Whether ``tokens[number]`` ends "<preposition> the [Names] <noun>": "in the Gdańsk stabbing".

    >>> _names_subject("in the Gdańsk stabbing".split(), 3), _names_subject("was the Crew launched".split(), 3)
    (True, False)
    """
    before = number - 1
    while before >= 0 and tokens[before][:1].isupper():
        before -= 1
    return before >= 1 and tokens[before].lower() == "the" and tokens[before - 1].lower() in _PREPOSITIONS


def _matches(asked: str, word: str) -> bool:
    role = role_of(asked)
    return word[:STEM_LETTERS] == asked[:STEM_LETTERS] or (role is not None and role_of(word) == role)


def asked_evidence(question: str, sentence: str, start: int, end: int) -> tuple[float, float, float]:
    """(`asked_coverage`, `asked_nearness`, `rival_role`) of the span ``sentence[start:end]``
    (see the module's docstring); (1.0, 1.0, 0.0) when the question asks nothing in particular."""
    asked = asked_words(question)
    if not asked:
        return 1.0, 1.0, 0.0
    words = [(m.start(), m.group().lower()) for m in WORD.finditer(sentence)]
    outside = [(i, w) for i, (at, w) in enumerate(words) if not start <= at < end]
    inside = [i for i, (at, _) in enumerate(words) if start <= at < end] or [_nearest_index(words, start)]
    coverage = sum(any(_matches(a, w) for _, w in outside) for a in asked) / len(asked)
    hits = [i for i, w in outside if any(_matches(a, w) for a in asked)]
    nearness = 1.0 / (1.0 + min(_gap(i, inside) for i in hits)) if hits else 0.0
    return coverage, nearness, _rival(asked, outside, inside)


def _rival(asked: Sequence[str], outside: Sequence[tuple[int, str]], inside: Sequence[int]) -> float:
    """1.0 when the role word nearest the span is of a rival role to one the question asks."""
    asked_roles = {role for word in asked if (role := role_of(word)) is not None}
    rivals = set().union(*(RIVAL_ROLES.get(role, frozenset()) for role in asked_roles))
    roles = [(_gap(i, inside), role) for i, w in outside if (role := role_of(w)) is not None]
    if not rivals or not roles:
        return 0.0
    nearest = min(gap for gap, _ in roles)
    near_roles = {role for gap, role in roles if gap == nearest}
    return 1.0 if near_roles & rivals and not near_roles & asked_roles else 0.0


def _gap(index: int, inside: Sequence[int]) -> int:
    """Words between word ``index`` and the span (whose words are ``inside``)."""
    return max(0, min(abs(index - i) for i in inside) - 1)


def _nearest_index(words: Sequence[tuple[int, str]], start: int) -> int:
    return min(range(len(words)), key=lambda i: abs(words[i][0] - start)) if words else 0
