"""One story or several (pure functions): whether another article's dated answer is part of the
story the answer comes from, so that a timeline shows how one story developed and never mixes in
another that merely answers the same kind of question ("the fire" of another city).

A story is told by its names (people, places, bodies: capitalised words that do not merely open a
sentence) and its events (a fire, a visit, an earthquake: the groups of `qa.words.EVENT_NOUN_GROUPS`).
Another article's answer belongs to the answer's story when all of these hold (`why_apart` names
the first that fails):

- it was retrieved for the question and its article is about what the question is about: its
  title and passage mention at least `ABOUT_THE_QUESTION` of the question's topic words (less the
  generic ones: "during", "happened");
- it names every name the question names (one of each name's words: "Pierluisi" names Pedro
  Pierluisi), and speaks of every event the question speaks of;
- when the answer's sentence and title name more than the question and the answer do (China,
  Koszalin), it names at least one of those too: the question alone does not tell two fires apart;
- it is dated within `STORY_DAYS` of the answer: years apart, the same names are another story.
  An undated one is apart where a date is needed (a timeline), not where it is not (confirming
  the answer: `qa.answers.decision.Decision.cited`).

>>> q = "How many people died in the hotel fire?"
>>> first = Report("Four died in the fire.", "Fire at Riverside Hotel in Kolding", "", "2024-03-01", "Four")
>>> later = Report("The toll rose to nine.", "Kolding hotel fire: nine dead", "", "2024-03-03", "nine")
>>> lyon = Report("Six died.", "Hotel fire in Lyon", "A hotel fire in Lyon killed six.", "2024-03-02", "Six")
>>> same_story(q, first, later), why_apart(q, first, lyon)
(True, 'names none of hotel, kolding, riverside')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from qa.answers.features import ABOUT_THE_QUESTION, coverage, topic_words
from qa.chunking import sentence_spans
from qa.follow_ups import mentions, stem
from qa.words import (
    DATE_WORDS,
    EVENT_NOUNS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
    OPENING_WORDS,
    POSSESSIVE,
    QUESTION_WORDS,
    STOPWORDS,
    STORYLESS_NAMES,
    TITLE_WORDS,
)

# Answers more than this far apart are different stories, whatever names they share: a story told
# over weeks or months (a pandemic's count, a governor's resignation, an impeachment) stays within
# it; Putin's visit to Magnitogorsk in 2019 is not his visit to China in 2024.
STORY_DAYS = 183
_TOKEN = re.compile(r"\w[\w'’.-]*\w|\w")
_GRAMMAR = STOPWORDS | FUNCTION_WORDS | QUESTION_WORDS | OPENING_WORDS
_NOT_NAMES = _GRAMMAR | DATE_WORDS | TITLE_WORDS | EVENT_NOUNS | STORYLESS_NAMES


@dataclass(frozen=True)
class Report:
    """What one article says in answer: the sentence that holds its answer, the article's title,
    the passage it was read in, the article's date (ISO, or "") and the answer itself."""

    sentence: str
    title: str
    passage: str
    date: str
    answer: str = ""


def _word(token: str) -> str:
    return POSSESSIVE.sub("", token).lower().strip(".'’-")


def _capitalised(text: str) -> list[list[tuple[str, bool]]]:
    """The runs of capitalised words in ``text`` ("Russian President Vladimir Putin"): each word
    lower-cased without its possessive, and whether its capital may be the sentence's alone: it
    opens a sentence or a line, and is not written as only a name is ("SARS-CoV-2", "NATO")."""
    runs: list[list[tuple[str, bool]]] = []
    for start, end in sentence_spans(text):
        last = -1
        for number, match in enumerate(_TOKEN.finditer(text, start, end)):
            token = match.group()
            if not (token[0].isupper() and len(token) > 1):
                last = -1
                continue
            opens = number == 0 or text[match.start() - 1] == "\n"
            doubtful = opens and not any(char.isupper() for char in token[1:])
            if last >= 0 and text[last : match.start()] == " ":
                runs[-1].append((_word(token), doubtful))
            else:
                runs.append([(_word(token), doubtful)])
            last = match.end()
    return runs


def _names(runs: list[list[tuple[str, bool]]]) -> list[set[str]]:
    """Each run's name words: not grammar, dates, titles or storyless names, and not a word whose
    capital is only ever the sentence's ("Officials said...")."""
    sure = {word for run in runs for word, doubtful in run if not doubtful}
    return [{word for word, doubtful in run if word not in _NOT_NAMES and word in sure} for run in runs]


def names(*texts: str) -> frozenset[str]:
    """The name words in ``texts``: capitalised words that are not grammar, dates, titles
    ("President"), events ("Hurricane") or names common to every story ("Wikinews"). A word that
    opens a sentence counts only when the texts also capitalise it elsewhere, or it is written as
    only a name is ("SARS-CoV-2").

    >>> sorted(names("Officials said Putin will meet Xi Jinping. Putin arrives on Thursday."))
    ['jinping', 'putin', 'xi']
    >>> sorted(names("How many died in the Koszalin escape room fire?")), sorted(names("SARS-CoV-2 spreads."))
    (['koszalin'], ['sars-cov-2'])
    """
    return frozenset().union(*_names([run for text in texts for run in _capitalised(text)]))


def name_runs(text: str) -> list[frozenset[str]]:
    """The names in ``text``, each as the set of its name words: a name is mentioned where any of
    its words is ("Pierluisi" names Pedro Pierluisi, "Xi" names Xi Jinping).

    >>> [sorted(run) for run in name_runs("Did Pedro Pierluisi meet Xi Jinping in Beijing?")]
    [['pedro', 'pierluisi'], ['jinping', 'xi'], ['beijing']]
    """
    return [frozenset(run) for run in _names(_capitalised(text)) if run]


def on_topic(conversation: str, title: str, text: str) -> bool:
    """Whether an article, by its title and a passage, names something ``conversation`` names
    (a word of one of its names), or the conversation names nothing: where the answer to a
    follow-up may come from. In the browser, "How old was he?" after "Who stabbed the mayor of
    Gdańsk?" and "Did he die?" was answered "64" (77%) from an article on Seoul's mayor.

    >>> asked = "Who stabbed the mayor of Gdańsk? How old was the mayor of Gdańsk?"
    >>> on_topic(asked, "Gdańsk mayor dies", "He was 53."), on_topic(asked, "Seoul mayor found dead", "He was 64.")
    (True, False)
    >>> on_topic("Where did a fire break out? Who saw it?", "Fire in a hotel", "Guests saw it.")
    True
    """
    runs = name_runs(conversation)
    seen = mentioned(title, text)
    return not runs or any(run & seen for run in runs)


def names_added(question: str, answer: Report) -> frozenset[str]:
    """The names the answer's sentence and title add to the question's: the words of their names
    that share no word with a name the question holds ("Vladimir" is Putin's name) and are not the
    answer's own (the answers of a timeline differ: the story is told by what surrounds them). The
    passage tells which words that open a sentence are names.

    >>> seed = Report("Russian President Vladimir Putin will meet Xi Jinping in Beijing.", "", "", "", "Xi Jinping")
    >>> sorted(names_added("Who will Putin meet?", seed))
    ['beijing']
    """
    asked = names(question)
    runs = [run for text in (answer.sentence, answer.title) for run in _capitalised(text)]
    found = _names(runs + _capitalised(answer.passage))[: len(runs)]
    return frozenset().union(*(words for words in found if not words & asked)) - mentioned(answer.answer)


def mentioned(*texts: str) -> frozenset[str]:
    """The capitalised words of ``texts``, what a name is looked for in: those that open a
    sentence too, unless the texts also write them in lower case ("Hotel fire. A hotel burned.").

    >>> sorted(mentioned("Putin's visit. Officials said so.")), sorted(mentioned("Hotel fire. A hotel burned."))
    (['officials', 'putin'], [])
    """
    lower = {_word(token) for text in texts for token in _TOKEN.findall(text) if token[0].islower()}
    runs = [run for text in texts for run in _capitalised(text)]
    return frozenset(word for run in runs for word, doubtful in run if not doubtful or word not in lower)


def events(text: str) -> tuple[str, ...]:
    """The event nouns ``text`` speaks of ("fires" -> fire), in order.

    >>> events("How many died in the fires after the earthquake?"), events("Who won?")
    (('fires', 'earthquake'), ())
    """
    nouns = {stem(noun): noun for noun in EVENT_NOUNS}
    words = (_word(token) for token in _TOKEN.findall(text))
    return tuple(dict.fromkeys(word for word in words if word in EVENT_NOUNS or stem(word) in nouns))


def days_apart(first: str, second: str) -> int | None:
    """Days between two ISO dates; None when either is missing or not a date.

    >>> days_apart("2024-05-14", "2024-05-01"), days_apart("2024-05-14", "")
    (13, None)
    """
    try:
        return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)
    except ValueError:
        return None


def why_apart(question: str, answer: Report, other: Report, undated: bool = False) -> str:
    """Why ``other`` is not part of the story ``answer`` (the answer to ``question``) comes from,
    in words; "" when it is. With ``undated``, a missing date is no reason.

    >>> q = "Who will Putin meet during his visit?"
    >>> seed = Report("Putin will meet Xi Jinping during his visit.", "Putin to visit China", "", "2024-05-14",
    ...               "Xi Jinping")
    >>> ural = Report("He met the minister.", "Building collapses in Magnitogorsk",
    ...               "Putin visited Magnitogorsk and held a meeting.", "2019-01-04")
    >>> why_apart(q, seed, ural)
    'names none of china'
    >>> why_apart(q, seed, Report("", "Putin in China", "Putin's visit: a meeting with Xi.", "2019-01-04"))
    'dated 1957 days from the answer'
    >>> why_apart(q, seed, Report("", "Putin in China", "Putin will meet Xi.", "2024-05-16"))
    'speaks of no visit'
    >>> undated = Report("", "Putin in China", "Putin's visit: a meeting with Xi in China.", "")
    >>> why_apart(q, seed, undated), why_apart(q, seed, undated, undated=True)
    ('undated', '')
    """
    text = f"{other.title}\n{other.passage}"
    share = coverage([word for word in topic_words(question) if word not in GENERIC_WORDS], text)
    if share < ABOUT_THE_QUESTION:
        return f"mentions {share:.0%} of what the question is about"
    seen = mentioned(other.title, other.passage, other.sentence)
    missing = sorted(word for run in name_runs(question) if not run & seen for word in run)
    if missing:
        return f"does not name {', '.join(missing)}"
    for event in events(question):
        if not mentions(text, event):
            return f"speaks of no {event}"
    told = names_added(question, answer)
    if told and not told & seen:
        return f"names none of {', '.join(sorted(told))}"
    days = days_apart(answer.date, other.date)
    if days is None:
        return "" if undated else "undated"
    return f"dated {days} days from the answer" if days > STORY_DAYS else ""


def same_story(question: str, answer: Report, other: Report, undated: bool = False) -> bool:
    """Whether ``other`` tells the same story as ``answer`` (see `why_apart`); with ``undated``,
    an article without a date (or an answer without one) may be part of it: what placing an answer
    on a timeline needs, confirming it does not."""
    return not why_apart(question, answer, other, undated)
