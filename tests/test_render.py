"""One renderer for the chat, the CLI and the API (pure: hand-made answers, no models)."""

from __future__ import annotations

import dataclasses

import pytest

from qa.render import answer_dict, article_html, escape_markdown, passage_html, render_markdown, render_text
from qa.schema import Answer, Citation, Filters, Passage

TEXT = "Putin will meet with Chinese leader Xi Jinping during his two-day visit that begins Thursday."
PASSAGE = Passage(7, "seed", "Putin visits China", "2024-05-14", "AP", "https://example.org/a", 100, 193, TEXT, 0.9)


def answer(quote: str = "Xi Jinping", resolved: str = "") -> Answer:
    start = TEXT.index(quote)
    citation = Citation(
        "seed", "Putin visits China", "2024-05-14", "AP", "https://example.org/a", 100 + start,
        100 + start + len(quote), quote, TEXT, 100, PASSAGE, resolved,
    )  # fmt: skip
    return Answer("Who?", quote, 12.0, 0.98, True, (citation,), passages=(PASSAGE,))


def test_chat_markdown_marks_the_quote_and_keeps_plain_punctuation():
    shown = render_markdown(answer())
    assert shown.startswith("**Xi Jinping**\n\n> Putin will meet with Chinese leader **Xi Jinping** during his two-day")
    assert "*Putin visits China* — 2024-05-14 · confidence 98%, very likely right" in shown and "\\-" not in shown


def test_terminal_text_names_source_offsets_and_url():
    lines = render_text(answer(), ("[", "]")).splitlines()
    assert lines[0] == "Xi Jinping" and lines[1] == "confidence 98%, very likely right (score 12.00)"
    assert lines[2] == "source: Putin visits China — 2024-05-14 [seed, chars 136-146] https://example.org/a"
    assert "leader [Xi Jinping] during" in lines[3]


def test_relative_dates_are_shown_beside_the_quote():
    reply = answer("Thursday", "Thursday, 16 May 2024")
    assert render_text(reply).splitlines()[0] == "Thursday (Thursday, 16 May 2024)"
    assert render_markdown(reply).startswith("**Thursday** (Thursday, 16 May 2024)")
    assert answer_dict(reply)["citations"][0]["resolved_date"] == "Thursday, 16 May 2024"


def test_relative_dates_are_shown_in_the_timeline_too():
    # Found in the browser: "2019-08-08: last week" said nothing of which week.
    later, earlier = answer("Thursday", "Thursday, 16 May 2024"), answer("Xi Jinping")
    reply = dataclasses.replace(later, timeline=(later.citation, earlier.citation))
    assert "- 2024-05-14: **Thursday** (Thursday, 16 May 2024) — *Putin visits China*" in render_markdown(reply)
    assert "  2024-05-14: Thursday (Thursday, 16 May 2024) — Putin visits China [seed]" in render_text(reply)
    assert "  2024-05-14: Xi Jinping — Putin visits China [seed]" in render_text(reply)


def test_no_answer_names_the_filter():
    nothing = Answer("Who?", "", 0.0, 0.0, False, filters=Filters("2024-01-01", None, "AP"))
    assert render_markdown(nothing) == (
        "I couldn't find that in the articles (searched only articles dated from 2024-01-01, from AP; "
        "a date filter leaves out undated articles)."
    )
    assert render_text(Answer("Who?", "", 0.0, 0.0, False)) == "I couldn't find that in the articles."
    data = answer_dict(nothing)
    assert data["found"] is False and data["citations"] == [] and data["filters"]["source"] == "AP"


@pytest.mark.parametrize(
    ("question", "hinted"),
    [("¿Quién es el gobernador de Puerto Rico?", True), ("Когда Путин посетит Китай?", True), ("Who?", False)],
)
def test_a_question_that_is_not_english_and_finds_nothing_is_told_to_ask_in_english(question, hinted):
    reply = Answer(question, "", 0.0, 0.0, False)
    assert ("ask it in English" in render_text(reply)) is hinted
    assert ("ask it in English" in render_markdown(reply)) is hinted
    assert render_text(reply).startswith("I couldn't find that in the articles.")


def test_json_for_programs_has_offsets_and_no_passages():
    data = answer_dict(answer())
    assert data["text"] == "Xi Jinping" and data["confidence"] == 0.98
    citation = data["citations"][0]
    assert (citation["article_id"], citation["start"], citation["end"], citation["chunk_id"]) == ("seed", 136, 146, 7)
    assert "passage" not in citation and "passages" not in data


def test_html_never_runs_article_markup():
    evil = Passage(1, "x", '"><script>alert(1)</script>', "", "", "javascript:alert(1)", 0, 10, "<b>x</b> y", 1.0)
    shown = passage_html(evil, (0, 8))
    assert "<script>" not in shown and "href" not in shown  # only http(s) URLs become links
    assert '<mark class="answer">&lt;b&gt;x&lt;/b&gt;</mark> y' in shown and "undated" in shown
    linked = article_html("T", "", 'https://x.org/"onmouseover="alert(1)', "Text.", None)
    assert 'href="https://x.org/&quot;onmouseover=&quot;alert(1)"' in linked
    assert escape_markdown("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"


@pytest.mark.parametrize(
    ("confidence", "words", "unsure", "sure"),
    [(0.98, "very likely right", False, True), (0.97, "very likely right", False, True),
     (0.96, "likely right", False, False), (0.8, "likely right", False, False), (0.5, "likely right", False, False),
     (0.49, "not sure", True, False)],
)  # fmt: skip
def test_how_sure_an_answer_is_is_said_in_words(confidence: float, words: str, unsure: bool, sure: bool):
    reply = dataclasses.replace(answer(), confidence=confidence)
    shown, text, data = render_markdown(reply), render_text(reply), answer_dict(reply)
    assert f"confidence {confidence:.0%}, {words}" in shown and f"confidence {confidence:.0%}, {words}" in text
    assert shown.startswith("Not sure — the closest I found: **Xi Jinping**") == unsure
    assert text.startswith("Not sure — the closest I found: Xi Jinping") == unsure
    assert (data["confidence_words"], data["sure"]) == (words, sure)


def test_a_withheld_answer_is_never_sure_however_likely():
    reply = dataclasses.replace(answer(), confidence=0.99, found=False)
    assert answer_dict(reply)["sure"] is False and answer_dict(answer())["sure"] is True


def test_a_yes_or_no_question_shows_the_sentence_without_claiming_an_answer():
    whole = answer(TEXT[:-1])  # the sentence, as qa.answers.yes_no cites it (without its period here)
    reply = dataclasses.replace(whole, yes_no=True, confidence=0.99)
    shown = render_markdown(reply)
    assert shown == (
        "I quote the articles rather than answer yes or no. What they say, for you to judge:\n\n"
        f"> {TEXT[:-1]}\n\n*Putin visits China* — 2024-05-14"
    )
    assert render_text(reply).splitlines() == [
        "I quote the articles rather than answer yes or no. What they say, for you to judge:",
        f"  “{TEXT[:-1]}”",
        f"source: Putin visits China — 2024-05-14 [seed, chars 100-{100 + len(TEXT) - 1}] https://example.org/a",
    ]
    data = answer_dict(reply)
    assert (data["yes_no"], data["sure"], data["confidence_words"]) == (True, False, "")
    assert data["message"] == render_text(reply) and answer_dict(whole)["message"] == ""
    assert answer_dict(whole)["yes_no"] is False and answer_dict(whole)["sure"] is True


def test_other_figures_of_the_same_article_are_shown_and_the_answer_is_never_sure():
    two_day = answer("two-day").citation
    reply = dataclasses.replace(answer(), confidence=0.99, rivals=(two_day,))
    shown, text, data = render_markdown(reply), render_text(reply), answer_dict(reply)
    assert "confidence 99%, likely right" in shown and "confidence 99%, likely right" in text
    assert f"The same article also gives:\n- **two-day**: {TEXT}" in shown
    assert f"The same article also gives:\n  two-day: “{TEXT}”" in text
    assert data["sure"] is False and data["confidence_words"] == "likely right"
    assert [r["quote"] for r in data["rivals"]] == ["two-day"] and "passage" not in data["rivals"][0]
    assert "also gives" not in render_markdown(answer()) and answer_dict(answer())["rivals"] == []
