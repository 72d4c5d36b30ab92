"""A conversation's follow-ups (qa.follow_ups, pure functions): references resolved across the
whole history, most recent first; topic switches; the query a follow-up is searched with."""

from __future__ import annotations

import pytest

from qa.follow_ups import (
    Name,
    Turn,
    answered,
    answers_needed,
    asks_who_said_it,
    attribution_question,
    contextual_query,
    described_people,
    find_names,
    follow,
    mentions,
    possible_topic,
    presumes_topic,
    read,
    referred,
    resolve_follow_up,
    same_name,
    stem,
    topic_of,
    topic_start,
    topic_words,
)

PUTIN = "When will Putin visit China?"
PUTIN_AND_XI = "When did Putin and Xi meet?"
BERG = "Why did Mayor Anna Berg ride the tram?"
MEET = "Who will he meet there?"
XI = "Who will Xi Jinping meet in Europe?"
FIRE = "What caused the fire in Gdańsk?"
FIGHT = "How long did firefighters fight it?"


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # The conversation: "his" is Putin, found through the second question's "he".
        ([PUTIN, MEET], "How long will his visit last?", "How long will Putin's visit to China last?"),
        ([PUTIN, MEET], "How long will the visit last?", "How long will Putin's visit to China last?"),
        ([PUTIN, MEET], "When did he arrive there?", "When did Putin arrive in China?"),
        # Most recent first: after a question about Xi, "his" is Xi's.
        ([PUTIN, MEET, XI], "How long will his visit last?", "How long will Xi Jinping's visit last?"),
        ([PUTIN, MEET, XI], "What did he say there?", "What did Xi Jinping say in Europe?"),
        # A switch: the follow-up looks back only as far as the question that began the topic.
        ([PUTIN, MEET, FIRE], "Who will he meet there?", "Who will he meet in Gdańsk?"),
        ([PUTIN, FIRE, FIGHT], "How many were hurt in that fire?", "How many were hurt in the fire in Gdańsk?"),
        (
            [FIRE, "Why?", "Who saw it?"],
            "What did the mayor say about the fire?",
            "What did the mayor say about the fire in Gdańsk?",
        ),
        # "they" is the people of the last question naming two or more.
        (["When did Putin and Xi meet?", "Why?"], "What did they agree?", "What did Putin and Xi agree?"),
        (
            ["When did Putin and Xi meet?", "Why?"],
            "What did their talks cover?",
            "What did Putin and Xi's talks cover?",
        ),
        (
            ["Why did Mayor Anna Berg ride the tram?"],
            "What did her office say?",
            "What did Mayor Anna Berg's office say?",
        ),
        (["Why did Mayor Anna Berg ride the tram?"], "Who met her?", "Who met Mayor Anna Berg?"),
        # An event named by whom or where, never by a name the question holds already.
        ([PUTIN], "Who will Xi meet during the visit?", "Who will Xi meet during Putin's visit to China?"),
        ([PUTIN], "Who will Putin meet during the visit?", "Who will Putin meet during the visit to China?"),
        ([PUTIN, MEET], "How long will the trip last?", "How long will Putin's trip to China last?"),
        # A country is a place wherever it stands: "he" never stands for it, "there" does.
        (["What happened to Venezuela?"], "What did he say?", "What did he say?"),
        (["What happened to Venezuela?"], "Who was arrested there?", "Who was arrested in Venezuela?"),
        (["What happened to Navalny?"], "What did he say?", "What did Navalny say?"),
        (["Did the United States sanction Maduro?"], "What did he say?", "What did Maduro say?"),
        # "its": the last place or thing, unless an event came since or the question brings an owner.
        (["What happened to Venezuela?"], "Who is its president?", "Who is Venezuela's president?"),
        (
            ["Why did the Supreme Court remove Pierluisi?"],
            "When was its ruling?",
            "When was the Supreme Court's ruling?",
        ),
        ([FIRE], "What did its owner say?", "What did its owner say?"),  # the fire's, not Gdańsk's
        (["What happened to Venezuela?"], "Did the company cut its prices?", "Did the company cut its prices?"),
        (
            ["What happened to Venezuela?"],
            "What did Maduro say about its debts?",
            "What did Maduro say about its debts?",
        ),
    ],
)
def test_references_are_resolved_across_the_whole_history(history, question, resolved):
    assert resolve_follow_up(question, history) == resolved


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([PUTIN], "Did Biden say he would go?"),  # the question names its own person
        ([FIRE], "Were there any injuries?"),  # "there" of "there were", not a place
        ([FIRE, FIGHT], "What happened in China?"),  # a new topic
        ([PUTIN, XI], "How long will Putin's visit last?"),  # back to Putin: a new topic again
        (["Who won?"], "Who will he meet there?"),  # nothing to stand for
        ([], "Who will he meet there?"),
        ([PUTIN], "Where is the theatre?"),
        ([FIRE], "Who said there was smoke?"),  # "there was": the be-word follows it
        ([PUTIN_AND_XI], "Did Biden and Macron say they would go?"),  # two people of its own
    ],
)
def test_what_a_question_explains_itself_is_left_alone(history, question):
    assert resolve_follow_up(question, history) == question


@pytest.mark.parametrize(
    ("history", "question", "query"),
    [
        # The earlier questions it refers to, resolved and oldest first: Putin (turn 2), the visit (turn 1).
        (
            [PUTIN, MEET],
            "How long will his visit last?",
            f"{PUTIN} Who will Putin meet in China? How long will his visit last?",
        ),
        # Newsdesk.answer passes the resolved question: the same turns come before it.
        (
            [PUTIN, MEET],
            "How long will Putin's visit to China last?",
            f"{PUTIN} Who will Putin meet in China? How long will Putin's visit to China last?",
        ),
        ([PUTIN, MEET, XI], "How long will his visit last?", f"{XI} How long will his visit last?"),
        ([PUTIN, MEET, FIRE], "How long did firefighters fight it?", f"{FIRE} How long did firefighters fight it?"),
        ([PUTIN, MEET], "When does it begin?", "Who will Putin meet in China? When does it begin?"),
        # A topic switch is searched alone, however short.
        ([FIRE, FIGHT], "What happened in China?", "What happened in China?"),
        ([FIRE, FIGHT], "How many had to leave their homes in China?", "How many had to leave their homes in China?"),
        ([FIRE], "What did China say about its economy?", "What did China say about its economy?"),
        ([PUTIN, MEET, XI], "How long will Putin's visit last?", "How long will Putin's visit last?"),
        ([PUTIN], "Who won the election in France?", "Who won the election in France?"),
        ([PUTIN], "Did Biden say that he would go?", "Did Biden say that he would go?"),
        # A short question that names nobody goes on with the topic's last question.
        ([FIRE, FIGHT], "Were there any injuries?", f"{FIGHT} Were there any injuries?"),
        ([PUTIN], "What did Biden say about it?", f"{PUTIN} What did Biden say about it?"),
        ([PUTIN], "Why did the Kremlin say that?", f"{PUTIN} Why did the Kremlin say that?"),
        (
            ["When did Putin and Xi meet?"],
            "Where did they go next?",
            "When did Putin and Xi meet? Where did they go next?",
        ),
        ([FIRE, FIGHT], "What did they say?", f"{FIGHT} What did they say?"),
        ([FIRE, FIGHT], "What did its owner say?", f"{FIGHT} What did its owner say?"),
        # The turn a reference finds, not merely the topic's last one.
        ([PUTIN, "Why?"], "Where will Putin stay in the capital?", f"{PUTIN} Where will Putin stay in the capital?"),
        (
            [PUTIN_AND_XI, "Why?"],
            "What did they agree on last week?",
            f"{PUTIN_AND_XI} What did they agree on last week?",
        ),
        # "that damage" with no damage before it: what the topic was last about.
        ([FIRE], "Who paid for that damage?", f"{FIRE} Who paid for that damage?"),
    ],
)
def test_a_follow_up_is_searched_with_the_turns_it_refers_to(history, question, query):
    assert contextual_query(question, history) == query


def test_a_conversation_is_read_turn_by_turn_with_its_topic_switches():
    history = [PUTIN, MEET, "How long will his visit last?", FIRE, FIGHT, "What happened in China?", "Why?"]
    turns = follow(history)
    assert [(turn.resolved, turn.new_topic) for turn in turns] == [
        (PUTIN, True),
        ("Who will Putin meet in China?", False),
        ("How long will Putin's visit to China last?", False),
        (FIRE, True),
        (FIGHT, False),
        ("What happened in China?", True),
        ("Why?", False),
    ]
    assert topic_start(turns) == 5 and topic_start(turns[:5]) == 3 and topic_start([]) == 0
    # After the last switch "he" finds no person (Putin is two topics back); "there" is China.
    reading = read("Who will he meet there?", turns)
    assert reading.turn.resolved == "Who will he meet in China?" and reading.refers_to == (5, 6)
    assert read("How long did firefighters fight that fire?", turns[:5]).refers_to == (3,)


def test_blank_history_entries_are_skipped():
    assert contextual_query(MEET, ["", PUTIN, "  "]) == f"{PUTIN} {MEET}"
    assert resolve_follow_up(MEET, ["  ", PUTIN]) == "Who will Putin meet in China?"


def test_names_people_and_places():
    assert find_names("Who will Xi Jinping meet in Europe?") == (Name("Xi Jinping", False), Name("Europe", True))
    assert find_names("And when did President Putin's plane leave Moscow on Monday?") == (
        Name("President Putin", False),
        Name("Moscow", True),
    )
    assert find_names("who is he?") == ()
    assert same_name("Xi", "Xi Jinping") and not same_name("Mayor Anna Berg", "Mayor Leon Park")
    assert mentions("Where did the blaze start?", "fire") and not mentions("Where did the blaze start?", "visit")


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # "he" is the topic's last person, not its last turn ("Why?" names nobody).
        ([PUTIN, "Why?"], "What did he say?", "What did Putin say?"),
        # "her" before a noun is possessive, also as the question's second-last word; before a
        # grammar word it is not.
        ([BERG], "Where is her office?", "Where is Mayor Anna Berg's office?"),
        ([BERG], "Who gave her the prize?", "Who gave Mayor Anna Berg the prize?"),
        ([BERG], "Was the bike hers?", "Was the bike Mayor Anna Berg's?"),
        ([PUTIN_AND_XI], "Was the idea theirs?", "Was the idea Putin and Xi's?"),
        # Places the question names do not stop "they" (only two people of its own do).
        ([PUTIN_AND_XI], "Did they fly from Paris to Berlin?", "Did Putin and Xi fly from Paris to Berlin?"),
    ],
)
def test_possessive_and_plain_person_pronouns_are_replaced(history, question, resolved):
    assert resolve_follow_up(question, history) == resolved


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # After a place preposition "there" is the place alone; elsewhere "in" the place.
        ([PUTIN], "Where will he fly from there?", "Where will Putin fly from China?"),
        ([PUTIN], "There, who did Putin talk to?", "in China, who did Putin talk to?"),
        # A capitalised "There" opening the question is no name that "he" could stand for.
        ([PUTIN], "There, who did he talk to?", "in China, who did Putin talk to?"),
    ],
)
def test_there_becomes_the_place_with_in_unless_a_preposition_precedes_it(history, question, resolved):
    assert resolve_follow_up(question, history) == resolved


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # "the trip" with no trip before it is still the topic's last event: a weak link.
        (["Who will Putin meet in China?"], "When will the trip begin?", "When will Putin's trip to China begin?"),
        # A capitalised "That" becomes "The".
        ([PUTIN, FIRE, FIGHT], "That fire started where?", "The fire in Gdańsk started where?"),
        # A strong link ("he") is not undone by a weak one ("its") after it.
        ([PUTIN], "What did he say in Paris about its economy?", "What did Putin say in Paris about its economy?"),
    ],
)
def test_event_nouns_and_mixed_references_are_resolved(history, question, resolved):
    assert resolve_follow_up(question, history) == resolved


@pytest.mark.parametrize(
    ("question", "new_topic"),
    [
        ("How many homes were destroyed by fire?", False),  # shares "fire" with the topic
        ("How much does bread cost today?", True),  # shares nothing and refers to nothing
    ],
)
def test_a_question_sharing_a_topic_word_goes_on_with_the_topic(question, new_topic):
    assert read(question, follow([FIRE])).turn == Turn(question, question, (), new_topic)


@pytest.mark.parametrize(
    ("question", "names"),
    [
        # A possessive question word is no name; "of" makes a place.
        ("Who's the mayor of Paris?", (Name("Paris", True),)),
        # A place of several words keeps its place from the word before its first.
        ("When will Xi Jinping visit New York?", (Name("Xi Jinping", False), Name("New York", True))),
    ],
)
def test_names_of_several_words_and_possessive_question_words(question, names):
    assert find_names(question) == names


@pytest.mark.parametrize(
    ("question", "names"),
    [
        # "the" between a place preposition and the name keeps it a place.
        ("How many people live in the United States?", (Name("United States", True),)),
        # "to" after a verb of speaking or happening is a person's, not a place's.
        ("What happened to Navalny in August 2020?", (Name("Navalny", False),)),
        ("What did Tusk say to Duda?", (Name("Tusk", False), Name("Duda", False))),
        # An institution, an award, or any name after "a" or "the" is a thing...
        ("Why did the Supreme Court remove Pierluisi?", (Name("Supreme Court", False, True), Name("Pierluisi", False))),
        ("Did Munk win a Nobel Prize?", (Name("Munk", False), Name("Nobel Prize", False, True))),
        ("Did Munk win an Emmy?", (Name("Munk", False), Name("Emmy", False, True))),
        ("Who leads the Civic Platform Party now?", (Name("Civic Platform Party", False, True),)),
        ("Did Margaret Court win?", (Name("Margaret Court", False),)),  # a surname, not a court
        ("Who spoke to the Queen?", (Name("Queen", False),)),  # "to the", after a verb of speaking
        ("Who is the leader of the Labour Party?", (Name("Labour Party", False, True),)),
        # ...except a title, which names a person.
        ("What did the Pope say?", (Name("Pope", False),)),
    ],
)
def test_names_are_people_places_or_things_by_the_words_before_them(question, names):
    assert find_names(question) == names


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # Found in the browser: "him" became "Supreme Court", "he" found no one after "to Navalny",
        # and "a Nobel Prize" counted as a person the question names, so "he" stayed unresolved.
        (["Why did the Supreme Court remove Pierluisi?"], "Who replaced him?", "Who replaced Pierluisi?"),
        (["What happened to Navalny in August 2020?"], "Where was he taken?", "Where was Navalny taken?"),
        (["How old was Walter Munk when he died?"], "Did he win a Nobel Prize?", "Did Walter Munk win a Nobel Prize?"),
        (
            ["Who became governor of Puerto Rico after Rosselló resigned?", "Why did the Supreme Court remove him?"],
            "Who replaced him?",
            "Who replaced Rosselló?",
        ),
    ],
)
def test_he_and_him_never_stand_for_an_institution_or_an_award(history, question, resolved):
    assert resolve_follow_up(question, history) == resolved


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        (["Who stabbed the mayor of Gdańsk?"], "How old was he?", "How old was the mayor of Gdańsk?"),
        (["Who was detained as the suspect in the stabbing?"], "How old is he?", "How old is the suspect?"),
        (["How old was the Gdańsk mayor?"], "What did his wife say?", "What did the Gdańsk mayor's wife say?"),
        # Most recent first, named or described.
        (["When will Putin visit China?", "What did the Chinese president say?"], "Where will he go?",
         "Where will the Chinese president go?"),
        (["Who stabbed the mayor of Gdańsk?", "What did Tusk say?"], "What did he say next?",
         "What did Tusk say next?"),
        # A description after the pronoun is the question's own object, not its "he".
        (["When will Putin visit China?"], "Will he meet the president?", "Will Putin meet the president?"),
        # The case of the question's opening word, and "the" before a lone title.
        (["Who stabbed the mayor of Gdańsk?"], "He was taken where?", "The mayor of Gdańsk was taken where?"),
        (["What did the President say?"], "Where is he now?", "Where is the President now?"),
        # A follow-up's own description counts too, the most recent first.
        (["Who stabbed the mayor of Gdańsk?", "Where was the mayor taken?"], "How old was he?",
         "How old was the mayor?"),
        (["Who is the leader of the Labour Party?"], "Who did he meet?",
         "Who did the leader of the Labour Party meet?"),
    ],
)  # fmt: skip
def test_he_stands_for_a_described_person_when_none_is_named(history, question, resolved):
    assert resolve_follow_up(question, history) == resolved


@pytest.mark.parametrize("question", ["Did the mayor say he would resign?", "What did the spokesman say he saw?"])
def test_a_question_that_describes_its_own_person_keeps_its_he(question):
    assert described_people("Who won the general election?") == ()  # "general" as an adjective
    assert resolve_follow_up(question, ["When will Putin visit China?"]) == question


def test_stems_keep_three_letters_and_topic_words_drop_possessives():
    assert [stem(word) for word in ("red", "sees", "used")] == ["red", "see", "use"]
    assert topic_words("Putin's visit") == {"putin", "visit"}


@pytest.mark.parametrize(
    ("history", "question", "topic", "refers_to"),
    [
        (
            [PUTIN, MEET],
            "How long will his visit last?",
            [PUTIN, "Who will Putin meet in China?"],
            [PUTIN, "Who will Putin meet in China?"],
        ),
        # The whole topic, though the question refers to its last turn alone.
        (
            ["Who stabbed the mayor of Gdańsk?", "Did he die?"],
            "How old was he?",
            ["Who stabbed the mayor of Gdańsk?", "Did the mayor of Gdańsk die?"],
            ["Did the mayor of Gdańsk die?"],
        ),
        # Only since the topic began; nothing for a question that starts one.
        ([FIRE, FIGHT, PUTIN], "Who will he meet there?", [PUTIN], [PUTIN]),
        ([FIRE, FIGHT], "Who won the election in France?", [], []),
        ([], "Who will he meet there?", [], []),
    ],
)
def test_the_topic_a_question_goes_on_with_and_the_turns_it_refers_to(history, question, topic, refers_to):
    assert topic_of(question, history) == topic
    assert referred(question, history) == refers_to


@pytest.mark.parametrize(
    ("history", "question", "possible"),
    [
        (["Why did Iran down the plane?"], "How many people were on board?", ["Why did Iran down the plane?"]),
        ([FIRE, FIGHT, PUTIN], "How many people were on board?", [PUTIN]),  # the current topic only
        (["Why did Iran down the plane?"], "How many people died in Gdańsk?", []),  # it names its own
        ([PUTIN], "Who will he meet there?", []),  # it goes on with the topic already: topic_of
        ([], "How many people were on board?", []),
    ],
)
def test_a_question_that_names_nothing_may_go_on_with_the_topic(history, question, possible):
    assert possible_topic(question, history) == possible


# ---------------------------------------------------------------- what earlier answers named

STABBED = "Who was stabbed on stage in Gdańsk?"
CRASHED = "Where did the plane crash?"


def test_he_and_there_stand_for_what_earlier_answers_named():
    answers = ["Paweł Adamowicz"]
    assert resolve_follow_up("How old was he?", [STABBED], answers) == "How old was Paweł Adamowicz?"
    assert resolve_follow_up("Where was she taken?", [STABBED], answers) == "Where was Paweł Adamowicz taken?"
    assert resolve_follow_up("How old was he?", [STABBED]) == "How old was he?"  # no answer given: as written
    history, answers = [CRASHED, "Who flew it?"], ["Calicut International Airport", ""]
    assert resolve_follow_up("How many died there?", history, answers) == (
        "How many died in Calicut International Airport?"
    )
    # what the answer named counts for the topic too: a later question naming it goes on with it
    assert topic_of("Was Paweł Adamowicz the mayor?", [STABBED], ["Paweł Adamowicz"]) == [STABBED]
    assert contextual_query("How old was he?", [STABBED], ["Paweł Adamowicz"]) == f"{STABBED} How old was he?"


def test_an_answer_names_a_person_only_for_a_who_question_about_no_one_named():
    stabbed, crashed = follow([STABBED, CRASHED])
    assert answered(stabbed, "Paweł Adamowicz").people == ["Paweł Adamowicz"]
    assert answered(stabbed, "Paweł Adamowicz").places == ["Gdańsk"]
    assert answered(stabbed, "a man in his twenties") == stabbed  # no name
    assert answered(stabbed, "Sanders and Trump") == stabbed  # two: "he" could be either
    named = follow(["Who did Putin meet?"])[0]
    assert answered(named, "Xi Jinping") == named  # "he" stays Putin
    assert answered(crashed, "Calicut International Airport at Karipur, Kerala").places == [
        "Calicut International Airport"
    ]
    assert answered(follow(["When did the plane crash?"])[0], "Monday").names == ()
    assert answered(follow(["How did it end?"])[0], "Paweł Adamowicz").names == ()


def test_the_answers_needed_are_the_latest_that_could_resolve_a_reference():
    assert answers_needed("How old was he?", [STABBED]) == [0]
    assert answers_needed("How old was he?", [STABBED, "", "Why?"]) == [0]
    assert answers_needed("How old is she?", ["", STABBED]) == [1]  # positions in the history as given
    assert answers_needed("How old was he?", [STABBED, "Did Tusk speak?"]) == []  # he: Tusk
    assert answers_needed("Who was there?", [CRASHED, "Who flew it?"]) == [0]
    assert answers_needed("How many died there?", [CRASHED, "Did it crash in Kerala?"]) == []  # there: Kerala
    assert answers_needed("How old was he?", [CRASHED]) == []  # no who-question to answer it
    assert answers_needed("How many died?", [STABBED]) == []  # no "he", no "there"
    assert answers_needed("Who won the chess final in Dubai?", [STABBED]) == []  # a new topic
    assert answers_needed("Why was he there?", [STABBED, "Where was he taken?"]) == [0, 1]


def test_a_question_about_a_described_person_presumes_the_topic():
    history = [STABBED, "Where was he taken?"]
    assert presumes_topic("What is the name of the suspect?", history)
    assert presumes_topic("What was the name of the pilot?", [CRASHED, "How many people were on board?"])
    assert not presumes_topic("What is the name of the suspect in Kenosha?", history)  # names its own
    assert not presumes_topic("How many people were on board?", history)  # may go on with it, describes no one
    assert not presumes_topic("Who is the suspect?", history)  # short: goes on with the topic anyway


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who said that?", True),
        ("who said it", True),
        ("And who told this?", True),
        ("But who claimed so?!", True),
        ("Who announced that?", True),
        ("According to whom?", True),
        ("Says who?", True),
        ("Who said?", True),
        ("Who said that the fire was arson?", False),
        ("Who said it first in Gdańsk?", False),
        ("Who is that?", False),
        ("What did he say?", False),
        ("Who was told that?", False),
    ],
)
def test_who_said_that_asks_only_for_the_source_of_the_last_answer(question: str, asks: bool):
    assert asks_who_said_it(question) is asks


def test_the_attribution_question_names_the_answer():
    assert attribution_question("up to four") == "Who said up to four?"
    assert attribution_question("") == "Who said that?"


def test_answers_are_needed_only_from_the_current_topic():
    assert answers_needed("How old was he?", [STABBED, "When did the Notre Dame fire start?"]) == []


def test_the_possible_topic_reaches_back_to_the_last_question_that_named_something():
    nameless = ["How many people were on board?", "Why did it crash?"]
    assert possible_topic("What was the pilot's name?", nameless) == nameless
    history, answers = ["Who won the race?", CRASHED, "How many people were on board?"], ["", "Calicut", ""]
    assert possible_topic("What was the pilot's name?", history) == history
    assert possible_topic("What was the pilot's name?", history, answers) == history[1:]  # Calicut: a name
    assert presumes_topic("What was the pilot's name?", history, answers)
