"""The segmented index: updates that cost what changed, merges, damage, and kills at exact moments."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.chunking import Chunker
from qa.index import SEGMENTS_DIR, Index, IndexUnavailableError, index_is_stale, scan, sync_index
from qa.index.dense import IDS_FILE, IVFPQ_FILE, VECTORS_FILE, Segment, train_codec, write_segment
from qa.retrieval import Retriever
from tests.conftest import ROOT

QUESTIONS = {
    "Who won the world chess championship?": "chess",
    "Where did the lander touch down?": "moon",
    "Etna erupted": "volcano",
}


def _top(index: Index, embedder, question: str) -> list[str]:
    return [p.article_id for p in Retriever(index, embedder).run(question, top_k=3)]


def _add_bulk(articles: Path, count: int) -> None:
    for number in range(count):
        (articles / f"bulk{number}.txt").write_text(
            f"Report {number}\n" + " ".join(f"Council meeting {number} discussed item {i}." for i in range(6))
        )


def test_a_file_whose_stat_is_unchanged_is_not_read_again(articles: Path, tmp_path: Path, embedder, monkeypatch):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    reads: list[str] = []
    real_read = scan.read_article_file

    def counted(path: Path, name: str | None = None):
        reads.append(name or path.name)
        return real_read(path, name)

    monkeypatch.setattr(scan, "read_article_file", counted)
    assert not index_is_stale(articles, index_dir, Chunker(), embedder)
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert (report.unchanged, report.chunks_embedded, reads) == (4, 0, [])
    # A new text with size and mtime put back still changes the ctime, which the stat compares
    # (as git's index does): read, found changed, embedded again.
    story = articles / "moon.json"
    before = story.stat()
    story.write_text(story.read_text().replace("Moon", "Mars"))
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert index_is_stale(articles, index_dir, Chunker(), embedder)
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert report.updated == 1 and set(reads) == {"moon.json"} and "Mars" in Index.open(index_dir).article("moon").text


def test_an_id_in_two_files_goes_to_the_first_file_whichever_changed(tmp_path: Path, embedder):
    articles = tmp_path / "articles"
    articles.mkdir()

    def write(name: str, text: str) -> None:
        (articles / name).write_text(json.dumps({"id": "x", "title": "Harbour", "text": text}))

    def indexed_text() -> str:
        return Index.open(tmp_path / "index").article("x").text

    write("a.json", "The harbour reopened on Monday.")
    write("b.json", "The harbour stayed shut.")
    report = sync_index(articles, tmp_path / "index", Chunker(), embedder)
    assert report.added == 1 and any("b.json: article id 'x' already read from a.json" in p for p in report.problems)
    write("b.json", "The harbour stayed shut all week.")  # the later file changes: the first still wins
    report = sync_index(articles, tmp_path / "index", Chunker(), embedder)
    assert report.updated == 0 and indexed_text() == "The harbour reopened on Monday."
    assert any("b.json: article id 'x' already read" in p for p in report.problems)
    (articles / "a.json").unlink()  # the first goes: the unchanged later file is read again
    report = sync_index(articles, tmp_path / "index", Chunker(), embedder)
    assert report.updated == 1 and indexed_text() == "The harbour stayed shut all week." and not report.problems
    write("0.json", "The harbour is open again.")  # a new file that comes first takes the id
    report = sync_index(articles, tmp_path / "index", Chunker(), embedder)
    assert report.updated == 1 and indexed_text() == "The harbour is open again."
    assert any("b.json: article id 'x' already read from 0.json" in p for p in report.problems)


def test_a_changed_collection_is_diffed_by_record(tmp_path: Path, embedder):
    articles = tmp_path / "articles"
    articles.mkdir()
    records = [
        {"id": f"r{n}", "title": f"Story {n}", "text": f"Story {n} says the harbour {n} reopened on day {n}."}
        for n in range(5)
    ]
    collection = articles / "wire.jsonl"
    collection.write_text("".join(json.dumps(r) + "\n" for r in records))
    index_dir = tmp_path / "index"
    assert sync_index(articles, index_dir, Chunker(), embedder).added == 5
    records[2]["text"] = "Story 2 now says the harbour stayed closed."
    collection.write_text("".join(json.dumps(r) + "\n" for r in records[:4]))  # r4 gone, r2 changed
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert (report.updated, report.removed, report.unchanged, report.chunks_embedded) == (1, 1, 3, 1)
    assert "stayed closed" in Index.open(index_dir).article("r2").text


def test_small_segments_are_merged_and_optimize_drops_deleted_chunks(articles: Path, tmp_path: Path, embedder):
    _add_bulk(articles, 20)
    (articles / "volcano.txt").write_text("Volcano erupts\nMount Etna erupted on Sunday night, lighting up the sky.")
    whole = tmp_path / "whole"
    sync_index(articles, whole, Chunker(), embedder)
    expected = {q: _top(Index.open(whole), embedder, q) for q in QUESTIONS}

    index_dir = tmp_path / "index"
    report = sync_index(articles, index_dir, Chunker(), embedder, batch_chunks=1)  # a segment per article
    index = Index.open(index_dir)
    assert report.merged >= 8 and index.segment_count < 8  # the policy folded them
    assert {q: _top(index, embedder, q) for q in QUESTIONS} == expected
    assert all(np.all(np.diff(np.asarray(s.ids)) > 0) for s in index.dense.segments)

    for number in range(2):  # too few for the policy to rewrite their segment: tombstones stay
        (articles / f"bulk{number}.txt").unlink()
    sync_index(articles, index_dir, Chunker(), embedder)
    index = Index.open(index_dir)
    assert len(index.store.tombstones()) > 0
    assert all(
        p.article_id not in ("bulk0", "bulk1")
        for p in index.passages(index.search_bm25("Council meeting discussed item", 100))
    )
    report = sync_index(articles, index_dir, Chunker(), embedder, optimize=True)
    index = Index.open(index_dir)
    assert report.merged >= 1 and index.segment_count == 1
    assert len(index.store.tombstones()) == 0 and len(index.dense.segments[0]) == index.store.count("chunks")
    assert {p.name for p in (index.generation / SEGMENTS_DIR).iterdir()} == {index.dense.segments[0].name}
    for question, article in QUESTIONS.items():
        assert _top(index, embedder, question)[0] == article


def test_a_damaged_segment_is_reported_with_the_repair(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    segment = next((Index.open(index_dir).generation / SEGMENTS_DIR).iterdir())
    vectors = segment / VECTORS_FILE
    vectors.write_bytes(vectors.read_bytes()[:200])
    with pytest.raises(IndexUnavailableError, match=r"segment seg-\d+ .* damaged .*newsdesk index --rebuild"):
        Index.open(index_dir)
    (segment / IDS_FILE).write_bytes(b"not numpy at all")
    with pytest.raises(IndexUnavailableError, match="--rebuild"):
        Index.open(index_dir)
    report = sync_index(articles, index_dir, Chunker(), embedder, rebuild=True)
    assert (
        report.added == 4
        and _top(Index.open(index_dir), embedder, "Who won the world chess championship?")[0] == "chess"
    )


KILL_AT = """
import os, signal, sys
import qa.index.batches as batches
import qa.index.merger as merger
import qa.index.sync as sync
from qa.index.lexical import LexicalWriter
from qa.chunking import Chunker
from qa.embedding import Embedder

moment = sys.argv[3]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if moment == "merge-written":  # the merged segment is on disk, the commit naming it is not
    write = merger.write_merged_segment
    merger.write_merged_segment = lambda *a, **k: (write(*a, **k), die())
elif moment == "merge-committed":  # committed, the merged-away folders not yet removed
    sync._Writer._remove_merged = die
elif moment == "batch-written":  # a batch's segment is on disk, its commit is not
    write = batches.write_segment
    batches.write_segment = lambda *a, **k: (write(*a, **k), die())
elif moment == "bm25-behind":  # the chunk store committed a batch, BM25 has not
    LexicalWriter.commit = die
elif moment.startswith("batch-"):  # batch-N: the batches before N committed, N being written
    write, calls, fatal = batches.write_segment, [], int(moment.split("-")[1])
    batches.write_segment = lambda *a, **k: die() if calls.append(1) or len(calls) == fatal else write(*a, **k)
rebuild = moment.endswith("rebuild")
sync.sync_index(sys.argv[1], sys.argv[2], Chunker(), Embedder(), batch_chunks=4, optimize=True, rebuild=rebuild)
"""


def _kill_sync_at(articles: Path, index_dir: Path, moment: str) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", KILL_AT, str(articles), str(index_dir), moment],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
    )
    assert finished.returncode == -signal.SIGKILL, finished.stderr.decode()[-2000:]


@pytest.mark.parametrize("moment", ["batch-written", "bm25-behind", "merge-written", "merge-committed"])
def test_a_kill_at_each_moment_of_a_sync_or_merge_loses_nothing(articles: Path, tmp_path: Path, embedder, moment):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder, batch_chunks=1)
    _add_bulk(articles, 12)
    _kill_sync_at(articles, index_dir, moment)
    index = Index.open(index_dir)  # the last commit, whole
    assert index.store.count("chunks") == index.chunk_count
    assert _top(index, embedder, "Who won the world chess championship?")[0] == "chess"
    _assert_left_behind(index, moment)
    report = sync_index(articles, index_dir, Chunker(), embedder, optimize=True)  # and the next sync finishes
    index = Index.open(index_dir)
    assert index.article_count == 16 and index.segment_count == 1 and report.chunks_embedded <= 12 * 2
    assert {p.name for p in (index.generation / SEGMENTS_DIR).iterdir()} == {index.dense.segments[0].name}
    assert index.lexical.count() == index.store.count("chunks")  # BM25 caught up with the store
    assert [p.article_id for p in index.passages(index.search_bm25("Council meeting 11 discussed", 1))] == ["bulk11"]


def _assert_left_behind(index: Index, moment: str) -> None:
    """What a kill at ``moment`` leaves: the state that moment implies, so a kill that landed
    elsewhere (or not at all) fails here."""
    on_disk = {p.name for p in (index.generation / SEGMENTS_DIR).iterdir()}
    live = {segment.name for segment in index.dense.segments}
    orphans = on_disk - live
    articles = index.article_count
    if moment == "batch-written":  # the first batch's segment is on disk, uncommitted
        assert (articles, len(orphans)) == (4, 1)
        assert index.lexical.count() == index.store.count("chunks")
    elif moment == "bm25-behind":  # the store committed the first batch; BM25 did not
        assert articles > 4 and not orphans
        assert index.lexical.count() < index.store.count("chunks")
    elif moment == "merge-written":  # all 16 committed; the merged segment is an orphan
        assert articles == 16 and len(orphans) == 1 and len(live) > 1
        assert index.lexical.count() == index.store.count("chunks")
    elif moment == "merge-committed":  # the merge committed; the merged-away folders remain
        assert articles == 16 and len(live) == 1 and len(orphans) > 1


# A sync of the 12 new files commits bulk0-3 in batch 1; a rebuild commits the seed first.
@pytest.mark.parametrize("moment", ["batch-2", "batch-3-rebuild"])
def test_files_changed_between_a_killed_sync_and_its_rerun_are_not_missed(
    articles: Path, tmp_path: Path, embedder, moment
):
    # Batches commit before the sync's last commit records the files it read. A file whose articles
    # a committed batch holds, deleted or renamed before the rerun, must not leave them behind.
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    _add_bulk(articles, 12)
    _kill_sync_at(articles, index_dir, moment)
    (articles / "bulk0.txt").unlink()  # embedded by the batch that committed
    (articles / "bulk1.txt").rename(articles / "renamed.txt")
    report = sync_index(articles, index_dir, Chunker(), embedder, rebuild=moment.endswith("rebuild"))
    index = Index.open(index_dir)
    assert index.article("bulk0") is None and index.entry("bulk0") is None
    assert index.article("renamed") is not None and index.article("bulk1") is None
    assert index.article_count == 4 + 11 and report.problems == ()
    assert index.store.count("chunks") == index.chunk_count == index.lexical.count()
    assert not index.store.pending()[0]  # the journal is cleared by the last commit


def test_a_damaged_interrupted_build_is_not_resumed(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    _add_bulk(articles, 12)
    _kill_sync_at(articles, index_dir, "batch-3-rebuild")
    interrupted = max(index_dir.glob("gen-*"))
    vectors = next((interrupted / SEGMENTS_DIR).glob(f"*/{VECTORS_FILE}"))
    vectors.write_bytes(vectors.read_bytes()[:100])
    report = sync_index(articles, index_dir, Chunker(), embedder, rebuild=True)
    index = Index.open(index_dir)
    assert report.added == 16 and index.article_count == 16 and index.generation != interrupted
    assert _top(index, embedder, "Who won the world chess championship?")[0] == "chess"


def test_an_article_moved_to_another_file_is_cited_from_there(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    (articles / "moon.json").rename(articles / "space.json")
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert (report.updated, report.chunks_embedded) == (0, 0)
    assert Index.open(index_dir).article("moon").path == "space.json"


def test_a_file_the_system_failed_to_read_is_read_again(articles: Path, tmp_path: Path, embedder, monkeypatch):
    # An I/O error (a network share that dropped, a permission fixed later) is not remembered as
    # the file's content: unlike a parse error, the next sync tries again, its stat unchanged.
    from qa.articles import ArticleUnreadable

    index_dir = tmp_path / "index"
    real_read = scan.read_article_file

    def failing(path: Path, name: str | None = None):
        if path.name == "moon.json":
            raise ArticleUnreadable(f"{name}: could not be read (OSError: [Errno 5] Input/output error); skipped")
        return real_read(path, name)

    monkeypatch.setattr(scan, "read_article_file", failing)
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert report.added == 3 and any("Input/output error" in p for p in report.problems)
    monkeypatch.setattr(scan, "read_article_file", real_read)
    assert index_is_stale(articles, index_dir, Chunker(), embedder)
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert report.added == 1 and report.problems == () and Index.open(index_dir).article("moon") is not None


def _clustered(count: int, dimension: int = 384, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(64, dimension))
    vectors = centres[rng.integers(0, 64, count)] + 0.6 * rng.normal(size=(count, dimension))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_ivfpq_segments_rerank_to_the_exact_answer(tmp_path: Path):
    vectors = _clustered(12_000)
    ids = np.arange(1000, 1000 + len(vectors), dtype=np.int64)
    write_segment(tmp_path / "seg-1", ids, vectors, train_codec(vectors, len(vectors)))
    segment = Segment.load(tmp_path / "seg-1", len(vectors), 384)
    assert segment.ivfpq and (tmp_path / "seg-1" / IVFPQ_FILE).is_file()
    queries = _clustered(50, seed=1)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10] + 1000
    scores, found = segment.search(queries, 10, None)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact, strict=True)])
    assert recall >= 0.95
    # Scores are exact cosines (re-ranked from the stored vectors), not PQ estimates.
    assert np.allclose(scores[:, 0], np.sum(queries * vectors[found[:, 0] - 1000], axis=1), atol=2e-3)
    # Tombstones and filters apply.
    deleted = segment.with_tombstones(np.unique(found[:, 0]))
    assert not set(deleted.search(queries, 10, None)[1][:, 0]) & set(found[:, 0])
    allowed = np.arange(1000, 1100, dtype=np.int64)
    assert set(segment.search(queries, 5, allowed)[1].ravel()) <= set(allowed)


def test_a_damaged_ivfpq_file_is_reported(tmp_path: Path):
    vectors = _clustered(3_000)
    write_segment(tmp_path / "seg-1", np.arange(len(vectors)), vectors, train_codec(vectors, len(vectors)))
    path = tmp_path / "seg-1" / IVFPQ_FILE
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(IndexUnavailableError, match=r"damaged.*--rebuild"):
        Segment.load(tmp_path / "seg-1", len(vectors), 384)


def test_bm25_folds_accents_filters_and_forgets_deleted_chunks(tmp_path: Path):
    from qa.index.lexical import LexicalIndex

    lexical = LexicalIndex.open(tmp_path / "bm25", create=True)
    writer = lexical.writer()
    writer.add(
        [(1, "Rain in Madrid", "It rained in Madrid."), (2, "Pokémon", "Pokémon cards sold."), (3, "Rain", "Rain.")]
    )
    writer.commit(7)
    lexical.reload()
    assert lexical.reflects() == 7 and lexical.count() == 3
    assert [i for i, _ in lexical.search("pokemon", 5)] == [2]
    assert [i for i, _ in lexical.search("rains", 5)] == [3, 1]  # stemmed; the shorter chunk first
    assert [i for i, _ in lexical.search("rain", 5, np.array([1, 2]))] == [1]
    assert lexical.search("title:rain OR NOT", 5) != [] and lexical.search("the of ???", 5) == []
    writer.delete([1])
    writer.commit(8)
    writer.close()
    assert [i for i, _ in LexicalIndex.open(tmp_path / "bm25").search("Madrid rain", 5)] == [3]
