"""A conversation's follow-ups (qa.follow_ups, pure functions): references resolved across the
whole history, most recent first; topic switches; the query a follow-up is searched with."""

from __future__ import annotations

import pytest

from qa.follow_ups import (
    Name,
    contextual_query,
    find_names,
    follow,
    mentions,
    read,
    resolve_follow_up,
    same_name,
    topic_start,
)

PUTIN = "When will Putin visit China?"
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
