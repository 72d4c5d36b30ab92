from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index import (
    CURRENT_FILE,
    DENSE_KINDS,
    MANIFEST_FILE,
    SEGMENTS_DIR,
    Index,
    IndexUnavailableError,
    StaleIndexError,
    index_is_stale,
    sync_index,
)
from qa.retrieval import Retriever
from qa.schema import Filters
from tests.conftest import STORIES, kill_sync_at_batch


def test_sync_is_incremental(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    first = sync_index(articles, index_dir, Chunker(), embedder)
    assert (first.added, first.updated, first.removed, first.unchanged) == (4, 0, 0, 0)
    assert first.chunks_embedded == Index.open(index_dir).chunk_count > 4

    again = sync_index(articles, index_dir, Chunker(), embedder)
    assert (again.added, again.updated, again.removed, again.unchanged, again.chunks_embedded) == (0, 0, 0, 4, 0)

    (articles / "extra.txt").write_text("Volcano erupts\nMount Etna erupted on Sunday night, lighting up the sky.")
    added = sync_index(articles, index_dir, Chunker(), embedder)
    assert (added.added, added.unchanged, added.chunks_embedded) == (1, 4, 1)

    (articles / "extra.txt").write_text("Volcano erupts\nMount Etna erupted again on Monday morning.")
    changed = sync_index(articles, index_dir, Chunker(), embedder)
    assert (changed.updated, changed.chunks_embedded) == (1, 1)

    (articles / "chess.json").unlink()
    removed = sync_index(articles, index_dir, Chunker(), embedder)
    assert (removed.removed, removed.chunks_embedded) == (1, 0)
    index = Index.open(index_dir)
    assert "chess" not in index.article_ids() and index.entry("chess") is None
    found = Retriever(index, embedder).run("Who won the world chess championship?", top_k=10)
    assert all(p.article_id != "chess" for p in found)
    assert {p.article_id for p in Retriever(index, embedder).run("Etna erupted", top_k=1)} == {"extra"}
    # Exactly one generation is left behind.
    assert len(list(index_dir.glob("gen-*"))) == 1


def test_duplicate_articles_are_indexed_once(articles: Path, tmp_path: Path, embedder):
    text = STORIES["moon"][2]
    (articles / "moon-copy.json").write_text(json.dumps({"id": "moon-copy", "title": "Copy", "text": text}))
    report = sync_index(articles, tmp_path / "index", Chunker(), embedder)
    assert report.duplicates == 1
    index = Index.open(tmp_path / "index")
    assert index.entry("moon-copy")["duplicate_of"] == "moon"
    assert index.store.count("chunks") == index.chunk_count
    assert index.chunks_where(Filters()).size == index.chunk_count
    # Removing the indexed copy promotes the other one.
    (articles / "moon.json").unlink()
    sync_index(articles, tmp_path / "index", Chunker(), embedder)
    index = Index.open(tmp_path / "index")
    assert index.entry("moon-copy")["duplicate_of"] is None
    assert Retriever(index, embedder).run("Chandrayaan-3 lander", top_k=1)[0].article_id == "moon-copy"


def test_changed_chunking_forces_a_rebuild(articles: Path, tmp_path: Path, embedder):
    sync_index(articles, tmp_path / "index", Chunker(), embedder)
    report = sync_index(articles, tmp_path / "index", Chunker(max_chars=300), embedder)
    assert "settings changed" in report.rebuilt and "chunking" in report.rebuilt
    assert report.added == 4
    assert "rebuilt: settings changed" in report.summary()


def test_changed_embedding_settings_force_a_rebuild(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    assert not index_is_stale(articles, index_dir, Chunker(), embedder)
    shorter = Embedder(max_tokens=64)
    assert index_is_stale(articles, index_dir, Chunker(), shorter)
    report = sync_index(articles, index_dir, Chunker(), shorter)
    assert "max_tokens': 128" in report.rebuilt and "max_tokens': 64" in report.rebuilt
    assert report.added == 4 and Index.open(index_dir).manifest.settings.embedding == shorter.settings


def test_an_index_from_before_embedding_settings_were_recorded_counts_as_bf16(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    manifest = index_dir / (index_dir / CURRENT_FILE).read_text().strip() / MANIFEST_FILE
    data = json.loads(manifest.read_text())
    del data["settings"]["embedding"]
    manifest.write_text(json.dumps(data))
    assert Index.open(index_dir).manifest.settings.embedding == {"precision": "bf16", "max_tokens": None}
    assert index_is_stale(articles, index_dir, Chunker(), embedder)
    assert "'precision': 'bf16'" in sync_index(articles, index_dir, Chunker(), embedder).rebuilt


def test_an_index_from_another_format_version_is_refused_then_rebuilt(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    generation = index_dir / (index_dir / CURRENT_FILE).read_text().strip()
    manifest = json.loads((generation / MANIFEST_FILE).read_text())
    manifest["format_version"] = 999
    (generation / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(StaleIndexError, match=r"format 999.*--rebuild"):
        Index.open(index_dir)
    report = sync_index(articles, index_dir, Chunker(), embedder)
    assert report.rebuilt and Index.open(index_dir).article_count == 4


def test_an_unwritable_index_folder_is_a_clear_error(articles: Path, tmp_path: Path, embedder):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(IndexUnavailableError, match="cannot write the index"):
        sync_index(articles, blocker / "index", Chunker(), embedder)


def test_missing_index_is_a_clear_error(tmp_path: Path):
    with pytest.raises(IndexUnavailableError, match="newsdesk index"):
        Index.open(tmp_path / "none")


def test_dense_index_kinds_search_and_delete(articles: Path, tmp_path: Path, embedder):
    for kind in DENSE_KINDS:
        index_dir = tmp_path / kind
        sync_index(articles, index_dir, Chunker(), embedder, dense_kind=kind)
        index = Index.open(index_dir)
        assert index.dense.kind == kind
        hits = Retriever(index, embedder, mode="dense").run("lander on the Moon's south pole", top_k=1)
        assert hits[0].article_id == "moon"
        (articles / "moon.json").rename(tmp_path / f"moon-{kind}.json")
        sync_index(articles, index_dir, Chunker(), embedder, dense_kind=kind)
        index = Index.open(index_dir)
        assert all(
            p.article_id != "moon" for p in Retriever(index, embedder, mode="dense").run("Moon lander", top_k=20)
        )
        shutil.move(tmp_path / f"moon-{kind}.json", articles / "moon.json")


def test_auto_switches_to_ivfpq_at_its_threshold():
    from qa.index import DenseSettings
    from qa.index.dense import LARGE_SEGMENT, MIN_IVFPQ

    assert LARGE_SEGMENT == 262_144
    auto = DenseSettings("auto")
    assert (auto.wants_ivfpq(LARGE_SEGMENT - 1), auto.wants_ivfpq(LARGE_SEGMENT)) == (False, True)
    ivfpq = DenseSettings("ivfpq")
    assert (ivfpq.wants_ivfpq(MIN_IVFPQ - 1), ivfpq.wants_ivfpq(MIN_IVFPQ)) == (False, True)
    assert not DenseSettings("flat").wants_ivfpq(10 * LARGE_SEGMENT)


def test_an_ivfpq_segment_is_searched_and_deletes_reach_it(tmp_path: Path):
    """A segment past MIN_IVFPQ chunks (7 chunks would be searched exactly whatever the kind)."""
    import faiss

    from tests.test_newsdesk import KeywordEmbedder

    articles = tmp_path / "articles"
    articles.mkdir()
    words = [f"w{n}" for n in range(400)]
    records = []
    for number in range(2_400):  # one short chunk each: one segment of 2,400 chunks
        picked = " ".join(words[(number * 7 + k * 13 + number // 400) % 400] for k in range(6)) + f" n{number}"
        records.append({"id": f"a{number}", "title": f"Note {number}", "date": "2024-01-01", "text": f"{picked}."})
    records.append({"id": "target", "title": "Lighthouse", "text": "lighthouse keeper rescued fishermen storm."})
    (articles / "notes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    embedder = KeywordEmbedder()
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder, dense_kind="ivfpq")
    index = Index.open(index_dir)
    (segment,) = index.dense.segments
    assert segment.ivfpq and len(segment.ids) == 2_401
    assert faiss.extract_index_ivf(segment.index).nlist > 1  # an inverted-file index, not exact search
    query = "lighthouse keeper rescued fishermen"
    assert Retriever(index, embedder, mode="dense").run(query, top_k=1)[0].article_id == "target"

    (articles / "notes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:-1]))
    assert sync_index(articles, index_dir, Chunker(), embedder, dense_kind="ivfpq").removed == 1
    index = Index.open(index_dir)
    assert index.dense.segments[0].ivfpq  # the tombstone is in the IVF-PQ segment, not a rewrite
    assert all(p.article_id != "target" for p in Retriever(index, embedder, mode="dense").run(query, top_k=20))


@pytest.mark.parametrize("batch", [1, 2, 3])  # 150 one-chunk articles: three batches of 64
def test_killing_an_update_leaves_the_previous_index_loadable(articles: Path, tmp_path: Path, embedder, batch: int):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    before = Index.open(index_dir).article_ids()
    for number in range(150):  # several batches of 64 chunks
        (articles / f"bulk{number}.txt").write_text(
            f"Report {number}\n"
            + " ".join(f"Council meeting {number} discussed item {i} at length." for i in range(12))
        )
    kill_sync_at_batch(articles, index_dir, batch, batch_chunks=64)
    index = Index.open(index_dir)  # an index loads, with exactly the batches that committed
    assert index.segment_count == 1 + (batch - 1)
    bulk = {f"bulk{n}" for n in range(150)}
    assert set(before) <= index.article_ids() <= set(before) | bulk
    done = len(index.article_ids() - set(before))
    assert (done == 0) == (batch == 1) and done < 150
    assert Retriever(index, embedder).run("Who won the world chess championship?", top_k=1)[0].article_id == "chess"
    assert index.store.count("chunks") == index.chunk_count  # no half-committed batch
    report = sync_index(articles, index_dir, Chunker(), embedder)  # ...and the next update completes it
    assert Index.open(index_dir).article_count == 154
    assert report.added == 150 - done  # without redoing the batches that committed
    assert len(list(index_dir.glob("gen-*"))) == 1
    index = Index.open(index_dir)
    on_disk = {p.name for p in (index.generation / SEGMENTS_DIR).iterdir()}
    assert on_disk == {segment.name for segment in index.dense.segments}  # the dead batch's folder is gone


def test_an_index_is_bound_to_its_articles_folder(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    other = tmp_path / "other-articles"
    other.mkdir()
    (other / "note.txt").write_text("Note\nA note in another folder.")
    with pytest.raises(IndexUnavailableError, match=r"holds the articles of .*articles.*--rebuild"):
        sync_index(other, index_dir, Chunker(), embedder)
    assert Index.open(index_dir).article_count == 4  # nothing removed
    rebound = sync_index(other, index_dir, Chunker(), embedder, rebuild=True)
    assert rebound.added == 1 and Index.open(index_dir).article_ids() == {"note"}


def test_a_project_moved_as_a_whole_keeps_its_binding(articles: Path, tmp_path: Path, embedder):
    sync_index(articles, tmp_path / "index", Chunker(), embedder)
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(articles, moved / "articles")
    shutil.move(tmp_path / "index", moved / "index")
    report = sync_index(moved / "articles", moved / "index", Chunker(), embedder)
    assert (report.added, report.unchanged) == (0, 4)


def test_a_second_writer_says_whom_it_waits_for(articles: Path, tmp_path: Path, embedder, caplog):
    import fcntl
    import threading

    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    (articles / "extra.txt").write_text("Volcano erupts\nMount Etna erupted on Sunday night.")
    with open(index_dir / ".lock", "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write("process 4242 (articles /somewhere, since 12:00:00)")
        holder.flush()
        reports = []
        writer = threading.Thread(target=lambda: reports.append(sync_index(articles, index_dir, Chunker(), embedder)))
        with caplog.at_level("WARNING", logger="qa.index"):
            writer.start()
            writer.join(3)
            assert writer.is_alive() and not reports  # it waits...
            fcntl.flock(holder, fcntl.LOCK_UN)
            writer.join(60)
    assert reports[0].added == 1  # ...then does its work
    assert "waiting for the index at" in caplog.text and "process 4242 (articles /somewhere" in caplog.text


def test_an_open_index_knows_when_another_writer_replaced_it(articles: Path, tmp_path: Path, embedder):
    index_dir = tmp_path / "index"
    sync_index(articles, index_dir, Chunker(), embedder)
    index = Index.open(index_dir)
    assert index.is_current()
    (articles / "extra.txt").write_text("Volcano erupts\nMount Etna erupted on Sunday night.")
    sync_index(articles, index_dir, Chunker(), embedder)
    assert not index.is_current()
    newer = index.reopen()
    assert newer.is_current() and newer.chunk_count == index.chunk_count + 1
    shared = {id(s.index) for s in index.dense.segments}
    assert shared <= {id(s.index) for s in newer.dense.segments}  # loaded once, shared
    sync_index(articles, index_dir, Chunker(), embedder, rebuild=True)  # a rebuild publishes a new generation
    assert not newer.is_current() and not newer.generation.exists()
    assert Index.open(index_dir).is_current()


def test_the_commit_that_finishes_a_sync_is_durable(articles: Path, tmp_path: Path, embedder, monkeypatch):
    """Batches commit with synchronous=NORMAL (a power cut may undo one; the journal redoes it);
    the sync's last commit, after which files may be deleted or a generation published, is FULL."""
    import contextlib

    from qa.index.store import ChunkStore

    levels: list[tuple[bool, int]] = []
    transaction = ChunkStore.transaction

    @contextlib.contextmanager
    def watched(self, durable: bool = False):
        with transaction(self, durable):
            levels.append((durable, self.db.execute("PRAGMA synchronous").fetchone()[0]))
            yield
        levels.append((durable, self.db.execute("PRAGMA synchronous").fetchone()[0]))

    monkeypatch.setattr(ChunkStore, "transaction", watched)
    sync_index(articles, tmp_path / "index", Chunker(), embedder)
    # One batch (NORMAL = 1, and after it), then the last commit (FULL = 2, then back to NORMAL).
    assert levels == [(False, 1), (False, 1), (True, 2), (True, 1)]


def _chronicle(folder: Path, count: int) -> None:
    """``count`` short articles in one JSON Lines file, each one town's news."""
    lines = [
        json.dumps(
            {
                "id": f"town-{n:02d}",
                "title": f"News from town {n}",
                "date": f"2024-03-{n + 1:02d}",
                "text": f"The bakery in town {n} won the regional bread prize. Its owner, baker number {n}, "
                f"said the oven was {n + 2} years old.",
            }
        )
        for n in range(count)
    ]
    (folder / "chronicle.jsonl").write_text("\n".join(lines) + "\n")


def test_a_new_index_answers_from_a_first_part_and_the_next_sync_adds_the_rest(tmp_path: Path, embedder):
    articles = tmp_path / "articles"
    articles.mkdir()
    _chronicle(articles, 12)
    index_dir = tmp_path / "index"
    first = sync_index(articles, index_dir, Chunker(), embedder, first_chunks=3, batch_chunks=4)
    assert 0 < first.added < 12 and first.added + first.remaining == 12
    assert "article(s) left for the next sync" in first.summary()
    published = Index.open(index_dir)  # already the live index: questions are answered from it
    assert published.article_count == first.added == first.chunks_embedded
    assert index_is_stale(articles, index_dir, Chunker(), embedder)
    rest = sync_index(articles, index_dir, Chunker(), embedder, batch_chunks=4)
    assert (rest.added, rest.remaining, rest.unchanged) == (12 - first.added, 0, first.added)
    assert not index_is_stale(articles, index_dir, Chunker(), embedder)
    assert sync_index(articles, tmp_path / "whole", Chunker(), embedder).remaining == 0
    done, built = Index.open(index_dir), Index.open(tmp_path / "whole")
    assert done.article_count == built.article_count == 12
    assert [chunk.text for _, chunk in done.chunks()] == [chunk.text for _, chunk in built.chunks()]
    # A first part is only for a new index: an existing one syncs whole, as before.
    _chronicle(articles, 14)
    more = sync_index(articles, index_dir, Chunker(), embedder, first_chunks=1, batch_chunks=1)
    assert (more.added, more.remaining) == (2, 0)
