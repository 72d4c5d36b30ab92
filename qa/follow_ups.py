"""A conversation, not a pair of questions (pure functions): what "he", "his", "they", "there",
"it", "its", "the visit" or "that fire" in a question stand for, found in the earlier questions most
recent first; where the conversation's current topic began; and what to search for.

>>> history = ["When will Putin visit China?", "Who will he meet there?"]
>>> resolve_follow_up("How long will his visit last?", history)
"How long will Putin's visit to China last?"
>>> contextual_query("How long will his visit last?", history)
'When will Putin visit China? Who will Putin meet in China? How long will his visit last?'

A question that names its own people or places, none of them the topic's, and refers to nothing
earlier (or that shares no word with the topic) starts a new topic: it is searched alone, and the
follow-ups after it look back only as far as it.

>>> history = [*history, "Who will Xi Jinping meet in Europe?"]
>>> resolve_follow_up("How long will his visit last?", history)
"How long will Xi Jinping's visit last?"
>>> contextual_query("What happened in Gdańsk?", history)
'What happened in Gdańsk?'

Each earlier question is read in the light of those before it (`follow`), so "his" in the third
question finds Putin through the second one's "he". Names are capitalised words: a name right
after "in", "to", "visit" and the like is a place ("in the United States" too, but not "happened to
Navalny"), and so is a country anywhere ("What happened to Venezuela?"); one after "a" or "the",
or that ends in "Court", "Prize" and the like, a thing that
"he" never stands for ("the Supreme Court", "a Nobel Prize"); any other a person (`find_names`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from qa.words import (
    ASKING_WORDS,
    BE_WORDS,
    COUNTRIES,
    DATE_WORDS,
    DEMONSTRATIVES,
    EVENT_NOUN_GROUPS,
    EVENT_NOUNS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
    GROUP_PRONOUNS,
    INSTITUTION_NOUNS,
    OPENING_WORDS,
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    PLACE_PREPOSITIONS,
    POSSESSIVE,
    QUESTION_WORDS,
    REFERRING_WORDS,
    STOPWORDS,
    THING_PRONOUNS,
    TITLE_WORDS,
    TO_PERSON_VERBS,
    TRAVEL_NOUNS,
)

# A question this short that names nobody ("And the price?", "Why?") goes on with the topic.
SHORT_QUESTION_WORDS = 4
_TOKEN = re.compile(r"\w[\w'’-]*")
_SUFFIXES = ("ings", "ing", "ions", "ion", "ers", "er", "es", "ed", "s", "e", "d")
_GRAMMAR = STOPWORDS | FUNCTION_WORDS | QUESTION_WORDS
_NOT_NAMES = _GRAMMAR | DATE_WORDS | OPENING_WORDS | REFERRING_WORDS  # "There, who did he meet?"
_NOT_TOPIC = _GRAMMAR | ASKING_WORDS | REFERRING_WORDS | GENERIC_WORDS | OPENING_WORDS
# "the mayor of Gdańsk", "the Gdańsk mayor", "the detained suspect": one person, described.
_DESCRIBED = re.compile(
    r"\b[Tt]he ((?:[A-Z][\w'’-]* )*(?:[a-z]+ )?(?:" + "|".join(sorted(PERSON_NOUNS)) + r"))\b"
    r"(?: of ((?:the )?[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*))?"
)
_POSSESSIVE_PRONOUNS = frozenset({"his", "her", "its", "their"})
_QUALIFYING = frozenset({"the", "that", "this"})  # "the visit" may become "Putin's visit"
# Words before "its" that bring a noun it may belong to: "the company ... its profits".
_OWNERS = frozenset("the a an this that these those his her their our my your".split())


@dataclass(frozen=True)
class Name:
    """A name in a question, without its possessive 's; ``place`` when it follows "in", "to"...;
    ``thing`` for an institution, award or event ("the Supreme Court", "a Nobel Prize")."""

    text: str
    place: bool
    thing: bool = False

    @property
    def person(self) -> bool:
        return not self.place and not self.thing


@dataclass(frozen=True)
class Turn:
    """An earlier question as the conversation reads it: ``resolved`` holds the names its
    references stand for, ``names`` the names in that, ``new_topic`` whether it began a topic,
    ``described`` the people it describes without a name ("the mayor of Gdańsk")."""

    question: str
    resolved: str
    names: tuple[Name, ...]
    new_topic: bool
    described: tuple[str, ...] = ()  # people it describes without naming them (`described_people`)

    @property
    def people(self) -> list[str]:
        return [name.text for name in self.names if name.person]

    @property
    def places(self) -> list[str]:
        return [name.text for name in self.names if name.place]


@dataclass(frozen=True)
class Reading:
    """A question read in a conversation: the turn it makes, and the earlier turns (their
    positions, oldest first) that it refers to."""

    turn: Turn
    refers_to: tuple[int, ...]


def stem(word: str) -> str:
    """A word without its possessive and one common ending, so that forms of a word match.

    >>> [stem(w) for w in ("visit", "visited", "visits", "Putin's", "fires", "fire", "meeting")]
    ['visit', 'visit', 'visit', 'putin', 'fir', 'fir', 'meet']
    """
    word = POSSESSIVE.sub("", word.lower())
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _is_name_word(word: str) -> bool:
    return word[0].isupper() and POSSESSIVE.sub("", word).lower() not in _NOT_NAMES


def find_names(question: str) -> tuple[Name, ...]:
    """The names in a question: runs of capitalised words that are not question or date words.
    A possessive ends a name; what it is comes from the words before it (`_name_kind`).

    >>> find_names("When will Putin visit China?")
    (Name(text='Putin', place=False, thing=False), Name(text='China', place=True, thing=False))
    >>> [n.text for n in find_names("And what did Mayor Anna Berg's office say on Monday?")]
    ['Mayor Anna Berg']
    >>> [(n.text, n.person) for n in find_names("Did the Supreme Court hear Navalny?")]
    [('Supreme Court', False), ('Navalny', True)]
    """
    names: list[Name] = []
    run: list[str] = []
    before: list[str] = []  # the words before the current name, lower case

    def close() -> None:
        names.append(_name_kind(" ".join(run), before))
        run.clear()

    words: list[str] = []
    end = -1
    for match in _TOKEN.finditer(question):
        word = match.group()
        named = _is_name_word(word)
        if run and (not named or question[end : match.start()] != " "):
            close()
        if named:
            if not run:
                before = words[-3:]
            run.append(POSSESSIVE.sub("", word))
            if POSSESSIVE.search(word):
                close()
        words.append(word.lower())
        end = match.end()
    if run:
        close()
    return tuple(names)


def _name_kind(name: str, before: Sequence[str]) -> Name:
    """A name as a place, a thing or a person, from the words before it (up to three).

    >>> _name_kind("United States", ["in", "the"]).place, _name_kind("Navalny", ["happened", "to"]).place
    (True, False)
    >>> _name_kind("Nobel Prize", ["win", "a"]).thing, _name_kind("Senate", ["the"]).thing
    (True, True)
    >>> _name_kind("Pope Francis", ["did", "the"]).person, _name_kind("Queen", ["spoke", "to", "the"]).person
    (True, True)
    >>> _name_kind("Margaret Court", ["did"]).person, _name_kind("Parliament", []).thing
    (True, True)
    >>> _name_kind("Venezuela", ["happened", "to"]).place, _name_kind("United States", ["did", "the"]).place
    (True, True)
    """
    previous = list(before)
    determiner = bool(previous) and previous[-1] in ("the", "a", "an")
    if previous and previous[-1] == "the":
        previous.pop()  # "in the United States" is in the United States
    words = name.lower().split()
    titled = words[0] in TITLE_WORDS  # "the President", "the Pope" are people
    # An institution's noun ends its name; a surname may be one too ("Margaret Court"), so a name
    # of several words is an institution only after "a" or "the" ("the Supreme Court").
    institution = words[-1] in INSTITUTION_NOUNS and (determiner or len(words) == 1)
    preposition = previous[-1] if previous else ""
    person_to = preposition == "to" and len(previous) >= 2 and previous[-2] in TO_PERSON_VERBS
    after_place_word = preposition in PLACE_PREPOSITIONS and not person_to
    if " ".join(words) in COUNTRIES or (after_place_word and not (determiner and (titled or institution))):
        return Name(name, place=True)  # a country is a place after any word: "happened to Venezuela"
    return Name(name, place=False, thing=institution or (determiner and not titled))


def described_people(question: str) -> tuple[str, ...]:
    """The people ``question`` describes without naming them, as it words them, with "the".

    >>> described_people("Who stabbed the mayor of Gdańsk on stage?")
    ('the mayor of Gdańsk',)
    >>> described_people("Was the detained suspect known to the Gdańsk police?")
    ('the detained suspect',)
    >>> described_people("When will Putin visit the Great Wall?")
    ()
    """
    return tuple(
        "the " + match.group(1) + (f" of {match.group(2)}" if match.group(2) else "")
        for match in _DESCRIBED.finditer(question)
    )


def names_in(question: str) -> list[str]:
    """The names in a question, people and places alike.

    >>> names_in("When will Putin visit China?"), names_in("Who won the chess final in Dubai?")
    (['Putin', 'China'], ['Dubai'])
    """
    return [name.text for name in find_names(question)]


def same_name(first: str, second: str) -> bool:
    """Whether two names may be one person or place: they share a word other than a title.

    >>> same_name("Putin", "Vladimir Putin"), same_name("President Xi", "President Putin")
    (True, False)
    """
    words = [{word.lower() for word in name.split()} - TITLE_WORDS for name in (first, second)]
    return bool(words[0] & words[1])


def topic_words(text: str) -> set[str]:
    """The stems of the words that say what a question is about.

    >>> sorted(topic_words("How long did the firefighters fight the fire in Gdańsk?"))
    ['fight', 'fir', 'firefight', 'gdańsk']
    """
    words = (POSSESSIVE.sub("", token.lower()) for token in _TOKEN.findall(text))
    return {stem(word) for word in words if word not in _NOT_TOPIC and not word[0].isdigit()}


def mentions(text: str, noun: str) -> bool:
    """Whether ``text`` speaks of ``noun``: the same word in another form, or (for an event) a
    word for the same event.

    >>> mentions("When will Putin visit China?", "visit"), mentions("Who will Putin meet?", "trip")
    (True, False)
    >>> mentions("How long will Putin's trip take?", "visit")
    True
    """
    words = topic_words(text)
    if stem(noun) in words:
        return True
    groups = [group for group in EVENT_NOUN_GROUPS if noun.lower() in group]
    return any(stem(word) in words for group in groups for word in group)


def topic_start(turns: Sequence[Turn]) -> int:
    """Where the current topic began: the last turn that started one (0 for none)."""
    return max((number for number, turn in enumerate(turns) if turn.new_topic), default=0)


@dataclass
class _Links:
    """What a question's words point back to, as `_Linker` finds it."""

    text: str
    earlier: set[int] = field(default_factory=set)
    strong: bool = False  # a pronoun, "that fire", a name of the conversation's
    weak: bool = False  # "the trip" with no trip before it, or a short question naming nobody


class _Linker:
    """Reads one question's references against the current topic, most recent turn first."""

    def __init__(self, question: str, turns: Sequence[Turn]) -> None:
        self.question, self.turns = question, turns
        self.topic = range(topic_start(turns), len(turns))
        self.own = find_names(question)
        self.links = _Links(question)
        self.replacements: list[tuple[int, int, str]] = []

    def latest(self, test: Callable[[Turn], bool]) -> int | None:
        return next((number for number in reversed(self.topic) if test(self.turns[number])), None)

    def refer(self, number: int | None, strong: bool = True) -> int | None:
        """Link to turn ``number``, or to the topic's last turn when None; the turn linked."""
        if number is None and self.topic:
            number = self.topic[-1]
        if number is not None:
            self.links.earlier.add(number)
            self.links.strong |= strong
            self.links.weak |= not strong
        return number

    def link(self) -> _Links:
        tokens = list(_TOKEN.finditer(self.question))
        for position, token in enumerate(tokens):
            self.pronoun(tokens, position)
            if position + 1 < len(tokens):
                self.noun_phrase(token, tokens[position + 1])
        for name in self.own:
            known = self.latest(lambda turn, name=name: any(same_name(name.text, n.text) for n in turn.names))
            if known is not None:
                self.refer(known)
        if not self.own and len(tokens) <= SHORT_QUESTION_WORDS:
            self.refer(None, strong=False)
        self.links.text = _replace(self.question, self.replacements)
        return self.links

    def pronoun(self, tokens: Sequence[re.Match[str]], position: int) -> None:
        word = tokens[position].group().lower()
        if word in PERSON_PRONOUNS:
            self.person(tokens, position)
        elif word in GROUP_PRONOUNS:
            self.group(tokens[position])
        elif word == "there":
            self.there(tokens, position)
        elif word == "it" or (word in DEMONSTRATIVES and position == len(tokens) - 1):
            self.refer(None)  # "it", "Why was that?": what the topic was last about
        elif word in THING_PRONOUNS:
            self.its(tokens, position)

    def person(self, tokens: Sequence[re.Match[str]], position: int) -> None:
        """He, she, his, her: the topic's most recent person, named or else described ("the mayor
        of Gdańsk"), unless the question names or describes one itself."""
        token = tokens[position]
        if any(name.person for name in self.own) or any(
            match.start() < token.start() for match in _DESCRIBED.finditer(self.question)
        ):
            return  # "Did the mayor say he would resign?": its "he" is the mayor
        number = self.refer(self.latest(lambda turn: bool(turn.people or turn.described)))
        if number is None or not (self.turns[number].people or self.turns[number].described):
            return  # linked to the topic's last turn, but it has no person for "he"
        word = token.group().lower()
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        possessive = word in ("his", "hers") or (word == "her" and self.takes_noun(token, following))
        turn = self.turns[number]
        person = turn.people[0] if turn.people else turn.described[0]
        if person.lower() in TITLE_WORDS:
            person = f"the {person}"  # "What did the President say?" -> "Where is he?": the President
        if token.group()[0].isupper():
            person = person[0].upper() + person[1:]  # "He was stabbed where?" opens the question
        self.replacements.append((token.start(), token.end(), f"{person}'s" if possessive else person))

    def its(self, tokens: Sequence[re.Match[str]], position: int) -> None:
        """Its: the topic's most recent place or thing ("What happened to Venezuela?" -> "Who is
        its president?": Venezuela's), when the question names nothing, speaks of nothing before
        it that could own it, and no event was spoken of since that name ("the fire in Gdańsk" ->
        "its owner" is the fire's). Else a weak link: "its" is as often the question's own
        ("China ... its economy", "the company ... its profits")."""
        earlier = {token.group().lower() for token in tokens[:position]}
        owned = not self.own and not earlier & _OWNERS
        number = self.latest(lambda turn: any(not name.person for name in turn.names)) if owned else None
        if number is not None and any(_speaks_of_event(self.turns[n].resolved) for n in self.topic if n >= number):
            number = None
        self.refer(number, strong=number is not None)
        if number is None:
            return
        owner = [name for name in self.turns[number].names if not name.person][-1]
        token = tokens[position]
        self.replacements.append((token.start(), token.end(), f"{'the ' if owner.thing else ''}{owner.text}'s"))

    def group(self, token: re.Match[str]) -> None:
        """They, them, their: the people of the topic's most recent question naming two or more.
        Without them it is as often the question's own ("people ... their homes"): a weak link."""
        if sum(name.person for name in self.own) >= 2:
            return
        number = self.latest(lambda turn: len(turn.people) >= 2)
        self.refer(number, strong=number is not None)
        if number is None:
            return
        people = " and ".join(self.turns[number].people)
        possessive = token.group().lower() in ("their", "theirs")
        self.replacements.append((token.start(), token.end(), f"{people}'s" if possessive else people))

    def there(self, tokens: Sequence[re.Match[str]], position: int) -> None:
        """There: the topic's most recent place, unless the question names one, or it is the
        "there" of "Were there any deaths?"."""
        near = [tokens[n].group().lower() for n in (position - 1, position + 1) if 0 <= n < len(tokens)]
        if BE_WORDS.intersection(near) or any(name.place for name in self.own):
            return
        number = self.refer(self.latest(lambda turn: bool(turn.places)))
        if number is None or not self.turns[number].places:
            return
        place = self.turns[number].places[-1]
        before = tokens[position - 1].group().lower() if position else ""
        token = tokens[position]
        self.replacements.append((token.start(), token.end(), place if before in PLACE_PREPOSITIONS else f"in {place}"))

    def takes_noun(self, token: re.Match[str], following: re.Match[str] | None) -> bool:
        """Whether ``following`` is a word of substance right after ``token`` ("her office")."""
        return (
            following is not None
            and self.question[token.end() : following.start()] == " "
            and following.group().lower() not in _GRAMMAR
        )

    def noun_phrase(self, determiner: re.Match[str], noun: re.Match[str]) -> None:
        """A noun after "the", "that", "his" or "Putin's": the topic's most recent turn that
        speaks of it ("the visit", "that fire"). An event is then named by whom and where it
        happened, as that turn says: "Putin's visit to China", "the fire in Gdańsk"."""
        word, thing = determiner.group().lower(), noun.group().lower()
        possessive = word in _POSSESSIVE_PRONOUNS or bool(POSSESSIVE.search(word))
        if not (word == "the" or word in DEMONSTRATIVES or possessive) or thing in _NOT_TOPIC:
            return
        if not self.takes_noun(determiner, noun):
            return
        number = self.latest(lambda turn: mentions(turn.resolved, thing))
        if number is not None:
            self.refer(number)
        elif word in DEMONSTRATIVES:
            number = self.refer(None)
        elif word == "the" and thing in EVENT_NOUNS:
            number = self.refer(None, strong=False)
        if number is None or thing not in EVENT_NOUNS:
            return
        people, places = self.unnamed(self.turns[number].people), self.unnamed(self.turns[number].places)
        if places and not any(name.place for name in self.own):
            where = "to" if thing in TRAVEL_NOUNS else "in"
            self.replacements.append((noun.end(), noun.end(), f" {where} {places[-1]}"))
        if word in _QUALIFYING and people:
            self.replacements.append((determiner.start(), determiner.end(), f"{people[0]}'s"))
        elif word in DEMONSTRATIVES:  # "that fire" is the fire in Gdańsk
            article = "the" if determiner.group().islower() else "The"
            self.replacements.append((determiner.start(), determiner.end(), article))

    def unnamed(self, names: Sequence[str]) -> list[str]:
        """``names`` less those the question holds itself."""
        return [name for name in names if not any(same_name(name, own.text) for own in self.own)]


def _speaks_of_event(text: str) -> bool:
    return any(token.group().lower() in EVENT_NOUNS for token in _TOKEN.finditer(text))


def _replace(text: str, replacements: Sequence[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def read(question: str, turns: Sequence[Turn]) -> Reading:
    """``question`` read after ``turns``: it goes on with the current topic when it refers to it
    (a pronoun, "that fire", one of its names, or it is short and names nobody) or shares its
    words; a question that names its own people or places, none of the topic's, starts a new
    topic, as does one that shares nothing with it. Only a follow-up's references are resolved.

    >>> [read(q, []).turn.new_topic for q in ("Who won?", "When will Putin visit China?")]
    [True, True]
    """
    links = _Linker(question, turns).link()
    topic = set().union(*(topic_words(turn.resolved) for turn in turns[topic_start(turns) :]))
    shared = bool(topic_words(question) & topic)
    goes_on = bool(turns) and (links.strong or (not find_names(question) and (links.weak or shared)))
    if not goes_on:
        return Reading(Turn(question, question, find_names(question), True, described_people(question)), ())
    turn = Turn(question, links.text, find_names(links.text), False, described_people(links.text))
    return Reading(turn, tuple(sorted(links.earlier)))


def follow(history: Sequence[str], answers: Sequence[str] = ()) -> list[Turn]:
    """The earlier questions, oldest first, each read in the light of those before it and with the
    name its answer gave, where ``answers`` (one per question, "" for none) holds it (`answered`).

    >>> [(t.resolved, t.new_topic) for t in follow(["Where did a fire break out?", "Who saw it?", "Who is Xi?"])]
    [('Where did a fire break out?', True), ('Who saw it?', False), ('Who is Xi?', True)]
    """
    turns: list[Turn] = []
    for number, question in enumerate(history):
        if question.strip():
            answer = answers[number] if number < len(answers) else ""
            turns.append(answered(read(question.strip(), turns).turn, answer))
    return turns


_ASKS_WHO = re.compile(r"\b(?:who|whom)\b", re.IGNORECASE)
_ASKS_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)


def answered(turn: Turn, answer: str) -> Turn:
    """``turn`` with the name its answer gave the conversation: a who-question that names and
    describes nobody ("Who was stabbed on stage in Gdańsk?") answered with a name makes that name
    its person, for a later "he"; a where-question's answer becomes its latest place, for a later
    "there". A who-question about someone named or described keeps them: after "Who stabbed the
    mayor?", "Did he die?" asks about the mayor.

    >>> turn = follow(["Who was stabbed on stage in Gdańsk?"])[0]
    >>> answered(turn, "Paweł Adamowicz").people, answered(turn, "a fire officer").people
    (['Paweł Adamowicz'], [])
    >>> answered(turn, "Senator Bernie Sanders and President Donald Trump").people
    []
    >>> answered(follow(["Who stabbed the mayor?"])[0], "Stefan W").people
    []
    >>> answered(follow(["Where did the plane crash?"])[0], "Calicut International Airport").places
    ['Calicut International Airport']
    """
    names = find_names(answer)
    if not names:
        return turn
    if _ASKS_WHO.search(turn.resolved) and not turn.people and not turn.described:
        if len(names) > 1:  # "Bernie Sanders and Donald Trump": which one "he" is, no one can say
            return turn
        return replace(turn, names=(*turn.names, Name(names[0].text, place=False)))
    if _ASKS_WHERE.search(turn.resolved):
        return replace(turn, names=(*turn.names, Name(names[0].text, place=True)))
    return turn


def answers_needed(question: str, history: Sequence[str]) -> list[int]:
    """The positions in ``history`` of the earlier questions whose answers ``question`` may refer
    to: for its "he", "his", "she" or "her", the topic's latest who-question that names and
    describes nobody, when no later question of the topic names a person; for its "there", the
    latest where-question, when no later one names a place. Newsdesk answers those again (the
    conversation holds questions only) and passes what they gave as ``answers``.

    >>> answers_needed("How old was he?", ["Who was stabbed on stage in Gdańsk?"])
    [0]
    >>> answers_needed("How old was he?", ["Who stabbed the mayor of Gdańsk?"])  # he: the mayor
    []
    >>> answers_needed("How old was he?", ["Who won?", "Did Putin congratulate him?"])  # he: Putin
    []
    >>> answers_needed("How many died there?", ["Where did the plane crash?", "Who flew it?"])
    [0]
    """
    positions = [number for number, asked in enumerate(history) if asked.strip()]
    turns = follow(history)
    if read(question, turns).turn.new_topic:
        return []
    words = {token.group().lower() for token in _TOKEN.finditer(question)}
    topic = range(topic_start(turns), len(turns))
    needed: list[int] = []
    if words & PERSON_PRONOUNS:
        needed += _latest_asking(turns, topic, _ASKS_WHO, lambda turn: bool(turn.people or turn.described))
    if "there" in words:
        needed += _latest_asking(turns, topic, _ASKS_WHERE, lambda turn: bool(turn.places))
    return sorted(positions[number] for number in set(needed))


def _latest_asking(
    turns: Sequence[Turn], topic: range, asks: re.Pattern[str], has_own: Callable[[Turn], bool]
) -> list[int]:
    """The topic's latest turn that ``asks`` and has none of its own (a person, a place), when
    no turn after it has one; else none."""
    for number in reversed(topic):
        if has_own(turns[number]):
            return []
        if asks.search(turns[number].resolved):
            return [number]
    return []


def resolve_follow_up(question: str, history: Sequence[str], answers: Sequence[str] = ()) -> str:
    """The question as the reader, which sees one question, should read it: a follow-up's
    references replaced by what they stand for in the current topic, most recent first ("he" the
    last person, "there" the last place, "the visit" whose visit it was). Other questions, and
    references the question itself explains, come back unchanged.

    >>> resolve_follow_up("Who will he meet there?", ["When will Putin visit China?"])
    'Who will Putin meet in China?'
    >>> resolve_follow_up("What did his ministry say?", ["When will Putin visit China?"])
    "What did Putin's ministry say?"
    >>> resolve_follow_up("How many were hurt in that fire?", ["Where did a fire break out in Gdańsk?", "Why?"])
    'How many were hurt in the fire in Gdańsk?'
    >>> resolve_follow_up("Did Biden say he would go?", ["When will Putin visit China?"])
    'Did Biden say he would go?'
    """
    return read(question, follow(history, answers)).turn.resolved


def contextual_query(question: str, history: Sequence[str], answers: Sequence[str] = ()) -> str:
    """What to search for: a follow-up with, before it, the earlier questions of the current topic
    it refers to (resolved, oldest first); a question that starts a topic, or refers to nothing
    earlier, alone.

    >>> contextual_query("Who will he meet there?", ["When will Putin visit China?"])
    'When will Putin visit China? Who will he meet there?'
    >>> contextual_query("Who won the chess final in Dubai?", ["When will Putin visit China?"])
    'Who won the chess final in Dubai?'
    """
    return " ".join([*referred(question, history, answers), question])


def topic_of(question: str, history: Sequence[str], answers: Sequence[str] = ()) -> list[str]:
    """The earlier questions of the topic ``question`` goes on with, resolved, oldest first: all
    since the topic began, whether or not it refers to each; none when it starts a topic.

    >>> history = ["When did Notre Dame catch fire?", "Was anyone killed?"]
    >>> topic_of("How much was pledged for its rebuilding?", history)
    ['When did Notre Dame catch fire?', 'Was anyone killed?']
    >>> topic_of("Who won the chess final in Dubai?", history)
    []
    """
    turns = follow(history, answers)
    if read(question, turns).turn.new_topic:
        return []
    return [turn.resolved for turn in turns[topic_start(turns) :]]


def possible_topic(question: str, history: Sequence[str], answers: Sequence[str] = ()) -> list[str]:
    """The current topic's earlier questions, resolved, oldest first, for a question that names
    nothing, refers to nothing and so starts a topic of its own (`topic_of` is empty), yet may
    go on with this one: "How many people were on board?" after "Why did Iran down the plane?".
    Newsdesk reads it as such a follow-up first, keeping an answer only from the topic's own
    articles, and else reads it alone. Empty for any other question. The topic reaches back past
    earlier questions of that kind (they too were read as going on with it) to the last question
    that named something.

    >>> possible_topic("How many people were on board?", ["Why did Iran down the plane?"])
    ['Why did Iran down the plane?']
    >>> possible_topic("What was the pilot's name?", ["Why did Iran down the plane?", "How many people were on board?"])
    ['Why did Iran down the plane?', 'How many people were on board?']
    >>> possible_topic("How many people died in Gdańsk?", ["Why did Iran down the plane?"])
    []
    >>> possible_topic("How many were on board?", [])
    []
    """
    turns = follow(history, answers)
    if not turns or find_names(question) or not read(question, turns).turn.new_topic:
        return []
    named = [number for number, turn in enumerate(turns) if turn.new_topic and turn.names]
    return [turn.resolved for turn in turns[max(named, default=0) :]]


# "Who said that?", "Who says so?", "According to whom?", "Says who?": who said what the last answer quoted.
_WHO_SAID_IT = re.compile(
    r"\A\s*(?:and\s+|so\s+|but\s+)?(?:(?:who|whom)\s+(?:said|says|told|announced|stated|claimed|reported|wrote|"
    r"tweeted|confirmed)(?:\s+(?:that|this|so|it))?|according\s+to\s+whom|says\s+who)\s*[?.!]*\s*\Z",
    re.IGNORECASE,
)


def asks_who_said_it(question: str) -> bool:
    """Whether ``question`` asks only who said what the last answer quoted.

    >>> [asks_who_said_it(q) for q in ("Who said that?", "And who says so?", "According to whom?", "Says who?")]
    [True, True, True, True]
    >>> asks_who_said_it("Who said the fire was arson?"), asks_who_said_it("Who is that?")
    (False, False)
    """
    return bool(_WHO_SAID_IT.match(question))


def attribution_question(answer: str) -> str:
    """What the reader is asked, in the last answer's passage, for "Who said that?": who said the
    answer ("Who said four?" finds Satyendra Jain, "the city's home minister, said "Buildings can
    only be constructed up to four floors""; "Who said that?" alone scored too low to answer).

    >>> attribution_question("four"), attribution_question("")
    ('Who said four?', 'Who said that?')
    """
    return f"Who said {answer}?" if answer else "Who said that?"


def presumes_topic(question: str, history: Sequence[str], answers: Sequence[str] = ()) -> bool:
    """Whether ``question``, which may go on with the topic (`possible_topic`), describes a person
    of it without naming anyone: "What is the name of the suspect?" after questions about the
    Gdańsk stabbing asks for that suspect, and read alone it named another story's suspect at 89%
    (the #24 walk-through). Newsdesk answers such a question from the topic's articles or not at all.

    >>> presumes_topic("What is the name of the suspect?", ["Who was stabbed on stage in Gdańsk?"])
    True
    >>> presumes_topic("How many people died?", ["Who was stabbed on stage in Gdańsk?"])
    False
    >>> presumes_topic("What is the name of the suspect?", [])
    False
    """
    return bool(possible_topic(question, history, answers)) and bool(described_people(question))


def referred(question: str, history: Sequence[str], answers: Sequence[str] = ()) -> list[str]:
    """The earlier questions of the current topic that ``question`` refers to, resolved, oldest
    first; none for a question that starts a topic or refers to nothing earlier.

    >>> referred("How old was he?", ["Who stabbed the mayor of Gdańsk?", "Did he die?"])
    ['Did the mayor of Gdańsk die?']
    >>> referred("How long will his visit last?", ["When will Putin visit China?", "Who will he meet there?"])
    ['When will Putin visit China?', 'Who will Putin meet in China?']
    >>> referred("Who won the chess final in Dubai?", ["When will Putin visit China?"])
    []
    """
    turns = follow(history, answers)
    return [turns[number].resolved for number in read(question, turns).refers_to]
