"""Questions too broad to answer with a span (`qa.answers.vague`): the rule, pure; every door's
rendering of the articles offered (Markdown, text, JSON); and through the real models a small
archive where "What happened in Norway?" gets the articles about Norway and a specific question an
answer, in `Newsdesk.answer`, the chat's handlers and, in headless Chromium, the chat page of an
in-process server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answers.vague import spread, suggestions, too_broad, topics, vague_wording
from qa.render import NOT_FOUND, TOO_BROAD, answer_dict, render_markdown, render_text
from qa.schema import Answer, Filters, Passage, Suggestion
from tests.conftest import needs_chromium

# ---------------------------------------------------------------- the rule, pure


@pytest.mark.parametrize(
    ("question", "vague"),
    [
        ("What happened in China?", True),
        ("China?", True),
        ("Tell me about the Hong Kong protests", True),  # a broad ask about two things
        ("What's going on in Gdańsk?", True),
        ("What happened?", True),
        ("How many people died in China?", False),  # asks for a number
        ("Who won in China?", False),  # asks for a person
        ("When did it happen?", False),
        ("What did the minister say about the budget?", False),  # two things, asked narrowly
        ("What happened to the Koszalin escape room owner?", False),  # broadly, but about four things
        ("Tell me about the protests against the Hong Kong extradition bill", False),
    ],
)
def test_a_question_is_vague_when_it_asks_nothing_in_particular(question: str, vague: bool):
    assert vague_wording(question) is vague


def test_topics_count_a_name_once_and_leave_out_the_asking():
    assert topics("Tell me about the Hong Kong protests") == ["Hong Kong", "protests"]
    assert topics("What is COVID-19?") == ["COVID-19"]


def test_too_broad_needs_no_answer_and_a_broad_ask_or_passages_spread_over_articles():
    assert too_broad("What happened in China?", ["a", "b", "c", "a"], found=False)
    assert not too_broad("What happened in China?", ["a", "b", "c", "a"], found=True)  # answered after all
    assert too_broad("China?", ["a", "b", "c", "a"], found=False)
    assert not too_broad("China?", ["a", "a", "a", "b"], found=False)  # one article's story
    assert too_broad("Tell me about China", ["a", "a", "a", "a"], found=False)  # asks broadly in so many words
    assert not too_broad("How many died in China?", ["a", "b", "c", "d"], found=False)
    assert spread(["a", "b"]) and not spread(["a", "a", "b"]) and not spread([])


def passage(article: str, title: str, text: str, date: str = "2024-02-10") -> Passage:
    return Passage(0, article, title, date, "", "", 0, len(text), text, 0.1)


def test_the_articles_offered_are_those_about_what_the_question_names_best_first_each_once():
    found = [
        passage("curling", "Norway wins curling final", "Norway beat Sweden."),
        passage("chess", "Carlsen wins chess final", "Carlsen won in Dubai."),
        passage("budget", "Budget passes", "Norway's parliament passed a budget.", ""),
        passage("curling", "Norway wins curling final", "The captain thanked the crowd in Norway."),
    ]
    offered = suggestions("What happened in Norway?", found)
    assert offered == (
        Suggestion("curling", "Norway wins curling final", "2024-02-10"),
        Suggestion("budget", "Budget passes", ""),
    )
    assert len(suggestions("What happened?", found * 3, limit=2)) == 2


def test_generic_and_opening_words_are_no_topics():
    assert topics("What happened to the people of Norway?") == ["Norway"]  # "people": generic
    assert topics("Please list what happened in Norway") == ["Norway"]  # "please", "list": opening words


def test_an_article_seen_again_does_not_stop_the_articles_after_it():
    found = [
        passage("curling", "Norway wins curling final", "Norway beat Sweden."),
        passage("curling", "Norway wins curling final", "The captain thanked the crowd in Norway."),
        passage("budget", "Budget passes", "Norway's parliament passed a budget."),
    ]
    assert [s.article_id for s in suggestions("What happened in Norway?", found)] == ["curling", "budget"]


def test_an_article_that_mentions_half_of_what_the_question_names_is_offered():
    found = [
        passage("budget", "Budget passes", "Parliament passed a budget."),
        passage("chess", "Chess", "Carlsen won."),
    ]
    assert topics("What happened to the Norway budget?") == ["Norway", "budget"]  # the budget, not Norway: half
    assert suggestions("What happened to the Norway budget?", found) == (
        Suggestion("budget", "Budget passes", "2024-02-10"),
    )


# ---------------------------------------------------------------- every door

BROAD = Answer(
    "What happened in Norway?",
    "",
    0.0,
    0.1,
    False,
    filters=Filters(source="Test Wire"),
    suggestions=(
        Suggestion("curling", "Norway wins *curling* final", "2024-02-10"),
        Suggestion("budget", "Budget", ""),
    ),
)


def test_every_door_says_the_question_is_too_broad_and_lists_the_articles():
    markdown = render_markdown(BROAD)
    assert markdown.startswith(TOO_BROAD + " (searched only articles from Test Wire).")
    assert "- *Norway wins \\*curling\\* final* — 2024-02-10\n- *Budget* — undated" in markdown
    assert NOT_FOUND not in markdown
    text = render_text(BROAD)
    assert "  Norway wins *curling* final — 2024-02-10 [curling]\n  Budget — undated [budget]" in text
    data = answer_dict(BROAD)
    assert data["suggestions"] == [
        {"article_id": "curling", "title": "Norway wins *curling* final", "date": "2024-02-10"},
        {"article_id": "budget", "title": "Budget", "date": ""},
    ]
    assert data["message"] == text and not data["found"]
    # Without articles to offer, the honest "not found" stays as it was.
    plain = Answer("Who?", "", 0.0, 0.1, False)
    assert render_markdown(plain) == render_text(plain) == NOT_FOUND + "." and answer_dict(plain)["suggestions"] == []


# ---------------------------------------------------------------- through the real models

NORWAY = [
    ("norway-curling", "2024-02-10", "Norway wins curling final",
     "Norway beat Sweden 7-5 in the curling final in Oslo on Saturday. The team's captain thanked the home crowd."),
    ("norway-storm", "2024-02-12", "Storm closes ports in Norway",
     "Storm Ingunn closed ports along the coast of Norway on Monday, and ferries to the islands were cancelled."),
    ("norway-budget", "2024-02-14", "Norway's parliament passes budget",
     "Norway's parliament passed a budget on Wednesday that spends 12 billion kroner more on schools."),
]  # fmt: skip
NORWAY_IDS = {key for key, *_ in NORWAY}
VAGUE = "What happened in Norway?"
SPECIFIC = "How much more will Norway's budget spend on schools?"


@pytest.fixture()
def norway_desk(desk, articles: Path):
    """The seed and three stories, and three articles about Norway."""
    for key, date, title, text in NORWAY:
        (articles / f"{key}.json").write_text(json.dumps({"id": key, "title": title, "date": date, "text": text}))
    desk.sync()
    return desk


def test_a_vague_question_gets_the_articles_to_narrow_to_and_a_specific_one_an_answer(norway_desk):
    reply = norway_desk.answer(VAGUE)
    assert not reply.found
    assert {s.article_id for s in reply.suggestions} == NORWAY_IDS  # about Norway, not the chess final
    assert all(s.title and s.date for s in reply.suggestions)
    assert render_markdown(reply).startswith(TOO_BROAD)
    specific = norway_desk.answer(SPECIFIC)
    assert specific.found and specific.text == "12 billion kroner" and specific.suggestions == ()
    # A question nothing answers that is not broad still says so plainly.
    unanswered = norway_desk.answer("How many ferries did Storm Ingunn sink near Bergen?")
    assert unanswered.suggestions == ()


def indexed():
    """The chat's indexing state for an archive whose index is built."""
    from qa.chat.indexing import Indexing

    indexing = Indexing()
    indexing.answering.set()
    indexing.ready.set()
    return indexing


def test_the_chat_and_its_answer_endpoint_offer_the_articles(norway_desk):
    from qa.chat.handlers import ChatHandlers

    handlers = ChatHandlers(norway_desk, indexed(), 5_000_000)
    reply, source, article, _ = handlers.chat(VAGUE, [])
    assert reply.startswith(TOO_BROAD) and source == article == ""
    assert "- *Norway wins curling final* — 2024-02-10" in reply
    data = handlers.answer(VAGUE)
    assert {s["article_id"] for s in data["suggestions"]} == NORWAY_IDS and data["message"].startswith(TOO_BROAD)
    assert handlers.answer(SPECIFIC)["suggestions"] == []


@pytest.mark.browser
def test_browser_lists_the_articles_offered_for_a_vague_question(norway_desk):
    needs_chromium()
    from playwright.sync_api import sync_playwright

    from qa.chat import build_app, launch_options
    from qa.serve_options import ServeOptions
    from tests.test_app import CHROMIUM, LAUNCH_ARGS, free_port, open_page

    app = build_app(norway_desk, read_only=True, indexing=indexed())
    options = ServeOptions("127.0.0.1", free_port(), (), read_only=True, max_upload_bytes=5_000_000)
    _, url, _ = app.queue().launch(prevent_thread_lock=True, **launch_options(options))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            page, dialogs = open_page(browser, {"url": url})
            page.get_by_role("textbox", name="Your question").fill(VAGUE)
            page.get_by_role("button", name="Ask").click()
            items = "() => [...document.querySelectorAll('#chat .bot-row li')].map(li => li.innerText)"
            page.wait_for_function(f"({items})().length >= 3", timeout=60_000)
            listed = page.evaluate(items)
            browser.close()
    finally:
        app.close()
    assert sorted(listed) == [
        "Norway wins curling final — 2024-02-10",
        "Norway's parliament passes budget — 2024-02-14",
        "Storm closes ports in Norway — 2024-02-12",
    ]
    assert dialogs == []
