from __future__ import annotations

import pytest

from qa.questions import QuestionError
from tests.conftest import SEED_ID, synced_desk


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
    for question, found in [
        ('"unbalanced chess', "chess"),
        ("NEAR(helicopters rescue) OR AND NOT *", "flood"),
        ("title:chess", "chess"),
        ("-- DROP TABLE chunks; lander", "moon"),
    ]:
        assert desk.search(question, top_k=1, mode="bm25")[0].article_id == found  # its words still count
    assert desk.search("^^^ ??? the", mode="bm25") == []  # no word BM25 can use
    with pytest.raises(QuestionError, match="holds no words"):
        desk.search("^^^ ???", mode="bm25")


def test_hybrid_is_the_reciprocal_rank_fusion_of_dense_and_bm25(desk):
    question = "rain helicopters final"  # dense and BM25 disagree on the second article
    dense, bm25, hybrid = (desk.search(question, top_k=20, mode=mode) for mode in ("dense", "bm25", "hybrid"))
    assert [p.article_id for p in dense][:3] == ["flood", "moon", "chess"]
    assert [p.article_id for p in bm25] == ["flood", "chess"]
    by_hand: dict[int, float] = {}
    for ranking in (dense, bm25):
        for rank, passage in enumerate(ranking, 1):
            by_hand[passage.chunk_id] = by_hand.get(passage.chunk_id, 0.0) + 1 / (60 + rank)
    assert [p.chunk_id for p in hybrid] == sorted(by_hand, key=lambda chunk: -by_hand[chunk])
    assert [p.score for p in hybrid] == pytest.approx([by_hand[p.chunk_id] for p in hybrid], abs=1e-12)
    assert [p.article_id for p in hybrid][:3] == ["flood", "chess", "moon"]


# A quotation asked about is found word for word: the one passage that holds "We couldn't win"
# among match reports full of its words (the #24 walk-through asked who said it, and it was not
# among the passages read).
QUOTED = {
    "hospital": (
        "Surgeons fight for the mayor's life",
        "2024-01-15",
        "Health minister Anna Berg spoke outside the hospital on Monday morning. "
        "“We couldn’t win,” she told reporters after a five-hour operation.",
    ),
    **{
        f"match-{number}": (
            f"{team} lose away again",
            "2024-01-14",
            f"{team} couldn't win on the road again. The coach said they could win at home, but could they? "
            f"Said the captain: we win some, we lose some, and away we couldn't.",
        )
        for number, team in enumerate(["Lions", "Tigers", "Hawks", "Bears", "Wolves", "Eagles"])
    },
}


def test_a_quotation_in_the_question_is_found_word_for_word(tmp_path, embedder, reader):
    desk = synced_desk(QUOTED, tmp_path, embedder, reader)
    for question in ('Who said "We couldn\'t win"?', "Who said 'we couldn't win'?", "Who said “We couldn’t win”?"):
        assert desk.search(question, top_k=4)[0].article_id == "hospital", question
        assert desk.search(question, top_k=1, mode="bm25")[0].article_id == "hospital"  # as a phrase
    reply = desk.answer('Who said "We couldn\'t win"?')
    assert reply.found and reply.text == "Anna Berg" and reply.citation.article_id == "hospital"
