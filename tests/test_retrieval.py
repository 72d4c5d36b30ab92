from __future__ import annotations

import pytest

from tests.conftest import SEED_ID


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode_finds_the_right_article(desk, mode):
    passages = desk.search("Which rover rolled out onto the Moon?", top_k=3, mode=mode)
    assert passages[0].article_id == "moon"
    article = desk.article("moon")
    for passage in passages:
        assert desk.article(passage.article_id).text[passage.start : passage.end] == passage.text
    assert passages[0].title == "Lunar lander touches down" and passages[0].date == "2023-08-23"
    assert article is not None and passages[0].score >= passages[-1].score


def test_filters_by_date_and_source(desk):
    assert {p.article_id for p in desk.search("news", top_k=10, date_from="2024-01-01")} == {"flood", SEED_ID}
    assert {p.article_id for p in desk.search("news", top_k=10, date_to="2022-01-01")} == {"chess"}
    assert {p.article_id for p in desk.search("lander", top_k=10, source="Test Wire")} == {"chess", "flood", "moon"}
    assert desk.search("lander", top_k=10, date_from="2030-01-01") == []


def test_bm25_query_ignores_search_syntax(desk):
    for question in ['"unbalanced', "NEAR(a b) OR AND NOT *", "title:chess", "-- DROP TABLE chunks;"]:
        desk.search(question, mode="bm25")
    assert desk.search("^^^ ???", mode="bm25") == []
