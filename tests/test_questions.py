"""One check of what may be asked, for the API, the command line and the chat (pure functions)."""

from __future__ import annotations

import pytest

from qa.questions import (
    MAX_TOP_K,
    QuestionError,
    check_date,
    check_filters,
    check_history,
    check_question,
    check_request,
    check_text,
    check_top_k,
    contextual_query,
    looks_english,
    resolve_follow_up,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-14", "2024-05-14"),
        ("2024-5-1", "2024-05-01"),
        (" 2024-05-01 ", "2024-05-01"),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_normalised(value, expected):
    assert check_date(value, "from") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "The from date 'yesterday' is not a date: write it as YYYY-MM-DD"),
        ("2024-13-45", "The from date '2024-13-45' is not a calendar date"),
        ("2023-02-29", "is not a calendar date"),
        ("14/05/2024", "is not a date"),
        (20240514, "must be text like 2024-05-14, not int"),
    ],
)
def test_bad_dates_name_the_value(value, message):
    with pytest.raises(QuestionError, match=message):
        check_date(value, "from")


def test_from_after_to_is_an_error_and_filters_say_what_they_do():
    with pytest.raises(QuestionError, match="from date 2024-06-01 is after the to date 2024-05-01"):
        check_filters("2024-06-01", "2024-05-01")
    filters = check_filters("2024-5-1", "2024-05-31", " AP ")
    assert (filters.date_from, filters.date_to, filters.source) == ("2024-05-01", "2024-05-31", "AP")
    assert filters.active and filters.describe() == "dated 2024-05-01 to 2024-05-31, from AP"
    assert not check_filters("", " ").active


@pytest.mark.parametrize("value", [-3, 0, MAX_TOP_K + 1, 100000, "4", 2.0, True, None])
def test_top_k_must_be_a_small_whole_number(value):
    with pytest.raises(QuestionError, match=f"top_k must be a whole number from 1 to {MAX_TOP_K}"):
        check_top_k(value)


def test_top_k_in_range():
    assert [check_top_k(k) for k in (1, 4, MAX_TOP_K)] == [1, 4, MAX_TOP_K]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("   ", "The question is empty"),
        ("?!?...", "The question holds no words: type a question about the articles"),
        ("x" * 1001, "The question is 1,001 characters long; the limit is 1,000"),
        ("Who \ud800 won?", "The question holds a character that is not valid text"),  # a lone surrogate
        (42, "The question must be text, not int"),
    ],
)
def test_bad_questions(question, message):
    with pytest.raises(QuestionError, match=message):
        check_question(question)


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([5], "item 1 is int"),
        ("When will Putin visit?", "a list of the earlier questions"),
        (5, "a list of the earlier questions"),
        (["ok", "\udcff"], "earlier question 2 holds a character that is not valid text"),
    ],
)
def test_bad_history(history, message):
    with pytest.raises(QuestionError, match=message):
        check_history(history)


def test_history_keeps_the_questions_and_drops_blanks():
    assert check_history(["When will Putin visit China?", "  ", " Why? "]) == ("When will Putin visit China?", "Why?")
    assert check_history(["When will Putin visit China?", "?!"]) == ("When will Putin visit China?",)
    assert check_history(None) == ()


def test_a_request_is_checked_whole():
    request = check_request("  Who will he meet? ", 3, "2024-5-1", None, None, ["When will Putin visit China?"])
    assert (request.question, request.top_k, request.filters.date_from) == ("Who will he meet?", 3, "2024-05-01")
    assert request.history == ("When will Putin visit China?",)


PUTIN = "When will Putin visit China?"


@pytest.mark.parametrize(
    ("question", "history", "query"),
    [
        ("Who will he meet there?", [PUTIN], f"{PUTIN} Who will he meet there?"),
        ("And the price?", ["How much does the tram cost?"], "How much does the tram cost? And the price?"),
        ("Who won the world chess championship final?", [PUTIN], "Who won the world chess championship final?"),
        ("Who will he meet there?", [], "Who will he meet there?"),
        ("What did they export?", ["One", PUTIN], f"{PUTIN} What did they export?"),
    ],
)
def test_follow_ups_are_searched_with_the_question_before(question, history, query):
    assert contextual_query(question, history) == query


@pytest.mark.parametrize(
    ("question", "history", "resolved"),
    [
        ("Who will he meet there?", [PUTIN], "Who will Putin meet in China?"),
        ("What did she say?", ["Why did Mayor Anna Berg ride the tram?"], "What did Mayor Anna Berg say?"),
        ("Who will he meet there?", ["Who won?"], "Who will he meet there?"),  # no names to use
        ("Who will he meet there?", [], "Who will he meet there?"),
        ("Where is the theatre?", [PUTIN], "Where is the theatre?"),  # 'there' inside a word stays
    ],
)
def test_follow_up_pronouns_become_the_names_they_stand_for(question, history, resolved):
    assert resolve_follow_up(question, history) == resolved


def test_every_filter_reaches_the_request_and_each_bad_value_is_named():
    import datetime as dt

    request = check_request("Who?", date_from="2024-5-1", date_to="2024-5-31", source=" AP ")
    assert (request.filters.date_from, request.filters.date_to, request.filters.source) == (
        "2024-05-01",
        "2024-05-31",
        "AP",
    )
    assert check_date(dt.datetime(2024, 5, 14, 10, 30), "from") == "2024-05-14"  # a datetime's day
    assert check_date(dt.date(2024, 5, 14), "to") == "2024-05-14"
    assert check_filters("2024-05-01", "2024-05-01").date_to == "2024-05-01"  # one day is a range
    with pytest.raises(QuestionError, match=r"^The to date 'tomorrow' is not a date"):
        check_filters(None, "tomorrow")
    with pytest.raises(QuestionError, match=r"^The source is 201 characters long; the limit is 200"):
        check_filters(source="x" * 201)
    with pytest.raises(QuestionError, match=r"^The source must be text, not int"):
        check_request("Who?", source=5)
    assert check_text("x" * 200, "source", 200) == "x" * 200  # the limit itself is allowed
    long = "a" * 40 + "b" * 20
    with pytest.raises(QuestionError, match=rf"^The from date '{long[:40]}' is not a date"):
        check_date(long, "from")  # the message quotes the first 40 characters
    with pytest.raises(QuestionError, match=r"^history must be a list of the earlier questions \(strings\), not dict"):
        check_history({"q": 1})


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("Who will Putin meet?", True),
        ("Brexit deal vote result parliament January", True),  # no function word at all
        ("Who is Juan de la Cruz?", True),  # another language's words in a name
        ("Quem é o presidente do Brasil?", False),  # "do" is Portuguese here
        ("¿Quién es el gobernador de Puerto Rico?", False),
        ("Wer ist der Bürgermeister von Danzig?", False),  # Latin letters beyond ASCII
        ("Когда Путин посетит Китай?", False),
        ("Что сказал Putin?", False),  # mostly Cyrillic
        ("Did Путин visit China?", True),  # mostly Latin
        ("1,500?", True),  # no letters: nothing to say
        ("¿Quién es Pierluisi?", False),  # two of another language's function words are enough
        ("¿Quién? Pierluisi", True),  # one is not
        ("Will el presidente de la Rada visit?", True),  # English's "will" outweighs them
        ("Wer ist Putin?", False),
        ("Кто Pûtîn?", True),  # accented Latin letters are Latin letters
        ("Кто Putin?", True),  # as many Latin letters as others
    ],
)
def test_a_question_looks_english_by_its_script_and_its_function_words(question: str, english: bool):
    assert looks_english(question) is english
