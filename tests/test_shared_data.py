"""Checks at the scale of the real data in ../shared: the seed plus 336 Wikinews articles, the
news questions, and SQuAD. Each test skips, naming the missing path, when ../shared is absent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa import Newsdesk
from qa.chunking import Chunker
from qa.evaluate import evaluate_end_to_end, evaluate_reader, evaluate_retrieval, load_news_questions
from qa.index import Index
from tests.conftest import SEED_ID, SEEDS, kill_sync_at_batch, needs_shared

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def news_desk(tmp_path_factory, embedder, reader):
    news = needs_shared("data", "news", "news.jsonl")
    folder = tmp_path_factory.mktemp("news")
    articles = folder / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    shutil.copy(news, articles / "news.jsonl")
    desk = Newsdesk(articles_dir=articles, index_dir=folder / "index", embedding_model=embedder, reader=reader)
    report = desk.sync()
    assert (report.added, report.problems) == (337, ())
    return desk


def tosca_articles(count: int) -> list[dict]:
    path = needs_shared("data", "news", "news_more_tosca.jsonl")
    with open(path, encoding="utf-8") as handle:
        return [json.loads(next(handle)) for _ in range(count)]


def test_adding_and_removing_one_article(news_desk):
    record = tosca_articles(1)[0]
    new_file = news_desk.articles_dir / "one-more.json"
    new_file.write_text(json.dumps(record))
    report = news_desk.sync()
    expected_chunks = len(Chunker().split(Index.open(news_desk.index_dir).store.article(record["id"])))
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 0, 337)
    assert report.chunks_embedded == expected_chunks
    assert record["id"] in {p.article_id for p in news_desk.search(record["title"], top_k=5)}
    new_file.unlink()
    report = news_desk.sync()
    assert (report.removed, report.chunks_embedded) == (1, 0)
    assert record["id"] not in {p.article_id for p in news_desk.search(record["title"], top_k=20)}


def test_retrieval_recall_at_5_of_the_hybrid_retriever(news_desk):
    questions = load_news_questions(needs_shared("data", "newsqa", "dev.jsonl"))
    report = evaluate_retrieval(news_desk, questions, ks=(1, 5, 10))
    assert report.questions == 168
    # Measured 1.000, 0.994 and 1.000 (AVX-512 and AVX2 paths alike); a floor one question below.
    assert report.recall["hybrid"][5] >= 0.99
    assert report.recall["dense"][5] >= 0.98 and report.recall["bm25"][5] >= 0.99


def test_end_to_end_quality_on_the_news_questions(news_desk):
    questions = load_news_questions(needs_shared("data", "newsqa", "dev.jsonl"))
    report = evaluate_end_to_end(news_desk, questions)
    assert report.questions == 192
    # Measured F1 84.2 / 83.2, citations 99.4% (int8 with VNNI / fp32 on AVX2). No-answer recall
    # 66.7% (16 of 24) / 58.3% (14) at precision 69.6% / 70.0%: since datelines are never an answer
    # (2026-12-06), the answerable questions whose answer was a dateline's date (3 with int8, 4 with
    # fp32, all wrong but one of F1 0.45) are declined, which costs precision (it was 82.4% / 87.5%).
    # Floors about one question below the lower, so a regression of a few answers fails (one answer
    # is ~0.6 F1, one abstention 4.2% of recall).
    assert report.f1 >= 82.0
    assert report.citation_accuracy >= 98.0
    assert report.no_answer_recall >= 54.0 and report.no_answer_precision >= 65.0


def test_killing_an_update_of_the_news_index_leaves_it_answering(news_desk, tmp_path: Path):
    batch = news_desk.articles_dir / "batch.jsonl"
    batch.write_text("".join(json.dumps(r) + "\n" for r in tosca_articles(300)))
    kill_sync_at_batch(news_desk.articles_dir, news_desk.index_dir, 2, batch_chunks=1_000)
    batch.unlink()
    reopened = Newsdesk(
        articles_dir=news_desk.articles_dir,
        index_dir=news_desk.index_dir,
        embedding_model=news_desk.embedder,
        reader=news_desk.reader,
        auto_sync=False,
    )
    committed = reopened.index.article_count - 337  # the first batch of 1,000 chunks, not the second
    assert 0 < committed < 300
    reply = reopened.answer("Who will Putin meet during his visit?")
    assert reply.found and "Xi Jinping" in reply.text
    assert news_desk.sync().removed == committed  # the batch's file is gone: its committed articles go


def test_reader_on_a_squad_v11_sample(reader):
    report = evaluate_reader(reader, needs_shared("data", "squad", "dev-v1.1.json"), limit=400)
    assert report.offsets_checked == 400
    assert report.f1 >= 82.5  # measured 84.2 (bf16) and 83.7 (fp32)


def test_reader_abstains_on_a_squad_v20_sample(reader):
    report = evaluate_reader(reader, needs_shared("data", "squad", "dev-v2.0.reconstructed.json"), limit=600)
    assert report.no_answer_accuracy is not None and report.has_answer_f1 is not None
    # At its default threshold (tuned on training data, not on this set) it declines over a
    # third of these written-to-look-answerable questions and still answers the answerable ones
    # (measured on these 600: 38.6% / 39.6% and HasAns F1 60.5 / 60.0 in bf16 / fp32; over the
    # whole dev set 38.7% and 72.1).
    assert report.no_answer_accuracy >= 37.0 and report.has_answer_f1 >= 58.5
    # Its score ranks unanswerable questions below answerable ones: the best threshold does far
    # better than always answering (F1 about 41 on the whole set).
    assert report.best_threshold_f1 is not None and report.best_threshold_f1 >= 52.0  # measured 53.4
