"""What is never an answer, whatever the reader's score."""

from __future__ import annotations

import re

from qa.follow_ups import described_people
from qa.relative_dates.days import MONTHS, WEEKDAYS
from qa.words import BE_WORDS, FUNCTION_WORDS, YES_NO_OPENERS, normalize_answer

_MONTH = "(?:" + "|".join(MONTHS) + ")"
# A line that holds a date and nothing else: "Monday, February 11, 2019" (how 175 of the 336
# Wikinews articles open), "11 February 2019", "2019-02-11".
_DATELINE = re.compile(
    rf"(?:(?:{'|'.join(WEEKDAYS)}),?\s+)?(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}})"
    r"|\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)


def answers_nothing(question: str, span: str) -> bool:
    """Whether ``span`` holds no content word that ``question`` lacks: such a span is never the
    answer ("In which federal prison is he to serve?" -> "federal prison", or a lone "a"). On the
    news questions this turned one confident wrong answer into an abstention and changed nothing
    else.

    >>> answers_nothing("In which federal prison is Manafort to serve?", "a federal prison")
    True
    >>> answers_nothing("In which federal prison is Manafort to serve?", "a")
    True
    >>> answers_nothing("Which prison will Manafort serve in?", "FCI Loretto prison")
    False
    """
    asked = set(normalize_answer(question).split())
    return all(word in asked or word in FUNCTION_WORDS for word in normalize_answer(span).split())


# "Who became the mayor?" asks who the described person is; "Who stabbed the mayor?" asks for another.
# "Who was arrested after the mayor was stabbed?" (a passive: be + a participle) asks for another
# person again, unless it names the role with "as" ("Who was chosen as the new mayor?").
_IDENTITY_VERBS = BE_WORDS | frozenset("become became becomes remain remains remained".split())
_PARTICIPLE = re.compile(r"[a-z]+(?:ed|en|wn)\Z|(?:shot|hit|held|hurt|caught|sent|put|led|left|kept)\Z")
_AUXILIARIES = YES_NO_OPENERS - BE_WORDS  # "Who did...", "Who has been...": the verb comes after
_AS_A_ROLE = re.compile(r"\bas (?:the|a|an)\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"\b(?:who|whom)\b((?:\s+[\w'’]+){1,3})", re.IGNORECASE)  # "Can you tell me who..."


def is_the_one_asked_about(question: str, text: str, start: int, end: int) -> bool:
    """Whether the span ``text[start:end]`` names the person that ``question`` describes and asks
    about someone else: "Who stabbed the mayor of Gdańsk?" describes the mayor, and a span that
    stands beside "mayor" in its sentence ("Paweł Adamowicz, mayor of the Polish city of Gdańsk,"
    or "mayor Paweł Adamowicz") is the mayor, the victim, never who stabbed him. It answers "Who
    is (or became) the mayor?", which this leaves alone. The #24 browser walk-through's worst
    answer: the victim named as the attacker, "very likely right" at 98%.

    >>> sentence = "Paweł Adamowicz, mayor of the Polish city of Gdańsk, was stabbed by Stefan W."
    >>> is_the_one_asked_about("Who stabbed the mayor of Gdańsk?", sentence, 0, 15)
    True
    >>> is_the_one_asked_about("Who stabbed the mayor of Gdańsk?", sentence, 68, 77)
    False
    >>> is_the_one_asked_about("Who was the mayor of Gdańsk?", sentence, 0, 15)
    False
    >>> is_the_one_asked_about("Who was arrested after the mayor of Gdańsk was stabbed?", sentence, 0, 15)
    True
    >>> is_the_one_asked_about("Who attacked the Gdańsk mayor?", "Police said mayor Paweł Adamowicz died.", 18, 33)
    True
    >>> is_the_one_asked_about("Who stabbed the mayor of Rybnik?", "The mayor of Rybnik, Tomasz Lis, died.", 21, 31)
    True
    """
    if not _asks_for_someone_else(question):
        return False
    for described in described_people(question):
        noun = re.escape(described.split(" of ")[0].split()[-1])
        after = re.match(rf"\s*,\s*(?:[\w'’.-]+\s+){{0,4}}?{noun}\b", text[end:], re.IGNORECASE)
        before = re.search(rf"\b{noun}(?:\s+of\s+(?:the\s+)?[\w'’.-]+)?,?\s+\Z", text[:start], re.IGNORECASE)
        if after or before:
            return True
    return False


def _asks_for_someone_else(question: str) -> bool:
    """Whether ``question`` asks who did something, not who someone it describes is: "Who stabbed
    the mayor?", "Can you tell me who stabbed him?", "Who was arrested after the mayor was
    stabbed?" (a passive); not "Who is (or became) the mayor?" nor "Who was chosen as the mayor?"."""
    asked = _ASKS_WHO.search(question)
    if asked is None:
        return False
    words = [*(word.lower() for word in asked.group(1).split()), "", ""]
    at = next(number for number, word in enumerate(words) if word not in _AUXILIARIES)
    verb, following = words[at], words[at + 1]
    if verb not in _IDENTITY_VERBS:
        return True
    passive = verb in BE_WORDS and _PARTICIPLE.match(following) is not None
    return passive and _AS_A_ROLE.search(question) is None


# "How much is the stolen gold toilet worth?" asks for money; "18-karat" (the #24 walk-through, at
# 91%, above "five to six million US dollars") names none.
_ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|worth|value|valued|pay|paid|pays|price|priced|fund\w*|money|pledg\w*|"
    r"donat\w*|spen[dt]\w*|rais\w*|fine|fined|bail|bond|compensat\w*|earn\w*|salary|budget|sell|sold|"
    r"receive\w*|invest\w*|charg\w*)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£¥₹₽]|\b(?:US|USD|EUR|GBP|CHF)\b|\b(?:dollars?|euros?|pounds?|pence|cents?|rubles?|roubles?|yuan|yen|"
    r"rupees?|francs?|pesos?|kronor|krona|kroner|zlotys?|złoty|shekels?|lira|rand|naira|reais|real)\b",
    re.IGNORECASE,
)


def names_no_money(question: str, span: str) -> bool:
    """Whether ``question`` asks how much money and ``span`` names none: never the answer.

    >>> names_no_money("How much is the stolen gold toilet worth?", "18-karat")
    True
    >>> names_no_money("How much is it worth?", "five to six million US dollars")
    False
    >>> names_no_money("How much rain fell?", "20 mm"), names_no_money("How much did it cost?", "€2m")
    (False, False)
    """
    return bool(_ASKS_MONEY.search(question)) and not _MONEY.search(span)


def in_dateline(text: str, start: int, end: int) -> bool:
    """Whether the span ``text[start:end]`` touches a line that holds only a date: the article's
    dateline, which says when it was published (every citation shows that date), not what it
    reports. Read as a passage it drew date questions to it: on the news questions, 5 answers
    came from datelines, all wrong ("On what date was Walter Munk born?" -> "February 11, 2019",
    the day his death was reported), and no gold answer lies in one.

    >>> article = "Monday, February 11, 2019\\n\\nMunk was born in Austria in 1917."
    >>> in_dateline(article, 19, 25), in_dateline(article, 11, 50), in_dateline(article, 55, 59)
    (True, True, False)
    >>> in_dateline("Born on February 11, 2019\\n", 8, 25)  # a sentence, not a dateline
    False
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", max(end, start + 1) - 1)
    lines = text[line_start : len(text) if line_end < 0 else line_end]
    return any(_DATELINE.fullmatch(line.strip()) for line in lines.split("\n"))
