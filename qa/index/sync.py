"""Keeping an index in line with its articles folder, at the cost of what changed.

A sync stats the folder and reads only changed files (`scan`), plans against the article table
(`plan`), then embeds what is new or changed in batches: each batch becomes a segment of vectors and
one SQLite transaction that adds its chunks, deletes the chunks it replaces (tombstones) and names
the segment. Removals commit last, then a merge policy folds small segments together (`merge`).
A kill at any moment leaves the last commit whole and answering; the next sync removes the orphan
segment folder of the batch that died and goes on from the batches that committed.

A new index, a settings change or ``rebuild`` builds a new generation beside the live one (resumed,
not restarted, if an earlier build of the same settings was interrupted) and publishes it by
replacing ``CURRENT`` atomically. One writer at a time: a lock file that names its holder.

The writer is split by job, as Tantivy splits its index writer: `writer_lock` (one writer),
`target` (choosing, resuming, checking and publishing a generation), `batches` (embedding and
committing), `merger` (merging segments, the IVF-PQ codec), `progress` (what it tells),
`freshness` (the staleness check). This module plans a sync and runs those parts in order.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.batches import BatchWriter
from qa.index.dense import DenseSettings
from qa.index.distributed import RayOptions
from qa.index.errors import IndexUnavailableError
from qa.index.freshness import index_is_stale
from qa.index.lexical import LexicalWriter
from qa.index.merger import CODEC_SAMPLE, SegmentMerger
from qa.index.plan import SyncPlan, plan_sync
from qa.index.progress import ProgressCallback, SyncProgress, SyncReport, print_progress
from qa.index.scan import FolderScan, scan_folder
from qa.index.searcher import CHUNKS_FILE
from qa.index.store import UNREAD, ChunkStore
from qa.index.target import Target, generation_problem, lexical_in_step, publish, remove_orphans, target_generation
from qa.index.writer_lock import LOCK_FILE, bound_folder, writer_lock

log = logging.getLogger(__name__)

__all__ = [
    "BATCH_CHUNKS",
    "CODEC_SAMPLE",
    "LOCK_FILE",
    "ProgressCallback",
    "SyncProgress",
    "SyncReport",
    "bound_folder",
    "generation_problem",
    "index_is_stale",
    "sync_index",
]


# Chunks embedded and committed per step of a large sync: a kill loses at most one batch, and memory
# holds one batch of texts and vectors (16,384 x 384 float32 = 25 MB), whatever the archive's size.
BATCH_CHUNKS = 16_384


def sync_index(
    articles_dir: str | Path,
    index_dir: str | Path,
    chunker: Chunker,
    embedder: Embedder,
    dense_kind: str | None = None,
    rebuild: bool = False,
    progress: bool = False,
    follow_links: bool = False,
    on_progress: ProgressCallback | None = None,
    batch_chunks: int = BATCH_CHUNKS,
    optimize: bool = False,
    ray: RayOptions | None = None,
    first_chunks: int | None = None,
) -> SyncReport:
    """Bring the index in line with the articles folder: embed only added or changed articles,
    drop removed ones, index duplicates once. Settings that differ from the index's force a rebuild;
    ``dense_kind`` None keeps the index's own kind (auto for a new index). An index mirrors one
    articles folder: syncing it from another refuses (it would drop the first folder's articles)
    unless ``rebuild``. ``optimize`` merges all segments into one afterwards. ``ray``: read, chunk
    and embed on a Ray cluster (`qa.index.distributed`); the result is the same index.
    ``first_chunks``: when the sync builds a new index, publish it once about this many passages
    are in (whole articles, folder order) and stop there, so it answers from them at once; the
    report's ``remaining`` articles are left pending, and the next sync embeds them as it
    finishes an interrupted one (in place, each batch answerable as it commits)."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    articles_dir = Path(articles_dir)
    if on_progress is None and progress:
        on_progress = print_progress
    with writer_lock(index_dir, articles_dir):
        target = target_generation(index_dir, articles_dir, chunker, embedder, dense_kind, rebuild)
        try:
            store = ChunkStore(target.path / CHUNKS_FILE)
        except Exception as error:
            raise IndexUnavailableError(
                f"the index at {index_dir} is damaged ({error}); rebuild it with `newsdesk index --rebuild`"
            ) from error
        try:
            remove_orphans(target.path, store)
            lexical = lexical_in_step(target.path, store)
            first = first_chunks if target.new and first_chunks else None
            batches = min(batch_chunks, first) if first else batch_chunks
            writer = _Writer(target, store, lexical, chunker, embedder, articles_dir, batches, on_progress, ray)
            writer.stop_after = first
            try:
                report = writer.sync(follow_links, started)
                merged = writer.merge(optimize)
            finally:
                lexical.close()
        finally:
            store.close()
        if target.new:
            if (problem := generation_problem(target.path, target.manifest.settings.dimension)) is not None:
                raise IndexUnavailableError(
                    f"the new index in {target.path} did not come out whole ({problem}); "
                    "nothing was published: run the sync again"
                )
            publish(index_dir, target.path)
        return SyncReport(**{**report.__dict__, "merged": merged, "seconds": time.perf_counter() - started})


@dataclass(frozen=True)
class _Touched:
    """What a change touches: the indexed entries of its articles and their duplicates, the same
    articles as the folder now has them (content and text hashes), and the file of each."""

    indexed: dict[str, dict]
    folder: dict[str, tuple[str, str]]
    file_of: dict[str, str]


class _Writer(BatchWriter, SegmentMerger):
    """One sync of one generation: planning (`sync`), its batches (`BatchWriter`) and its merges
    (`SegmentMerger`)."""

    def __init__(
        self,
        target: Target,
        store: ChunkStore,
        lexical: LexicalWriter,
        chunker: Chunker,
        embedder: Embedder,
        articles_dir: Path,
        batch_chunks: int,
        on_progress: ProgressCallback | None,
        ray: RayOptions | None = None,
    ) -> None:
        self.target = target
        self.store = store
        self.lexical = lexical
        self.chunker = chunker
        self.embedder = embedder
        self.articles_dir = articles_dir
        self.batch_chunks = max(1, batch_chunks)
        self.on_progress = on_progress
        self.ray = ray
        self.dense = DenseSettings(target.manifest.settings.dense_kind)
        self.journal: tuple[set[str], set[str]] | None = None  # written by the first batch's commit
        self.stop_after: int | None = None  # passages after which a first part stops (first_chunks)
        self.dimension = target.manifest.settings.dimension

    def sync(self, follow_links: bool, started: float) -> SyncReport:
        """Plan and apply what changed. Planning looks only at the articles of changed or removed
        files and at their duplicates elsewhere: its cost follows the change, not the archive."""
        store = self.store
        known = store.files()
        unfinished, changed_texts = store.pending()
        if unfinished:
            # A sync stopped after some of its batches committed (a first part, or killed): read its
            # files again (an article already embedded plans as unchanged), and remove those that
            # went meanwhile.
            log.warning("going on with a sync that stopped part-way: %d file(s) to read again", len(unfinished))
            known = {**known, **dict.fromkeys(unfinished, UNREAD)}
        scan = scan_folder(self.articles_dir, follow_links, known, store.owners)
        before = store.entry_count()
        if not scan.read and not scan.removed:
            return SyncReport(
                0, 0, 0, before, store.entry_count(duplicates=True), 0, self.target.rebuilt, tuple(scan.problems), 0.0
            )
        touched = self._touched(scan, changed_texts)
        plan = plan_sync(
            touched.folder,
            {i: {"hash": e["hash"], "duplicate_of": e["duplicate_of"]} for i, e in touched.indexed.items()},
        )
        chunks_embedded = self._embed(plan.embed, set(plan.drop), touched.file_of, started)
        remaining = len(plan.embed) - self._progress.articles_done
        if remaining:  # a first part: the journal stays pending, so the next sync goes on from here
            done = self._progress.articles_done
            return SyncReport(done, 0, 0, store.entry_count() - done, 0, chunks_embedded, self.target.rebuilt,
                              tuple(scan.problems), 0.0, remaining=remaining)  # fmt: skip
        self._finish(scan, plan, touched)
        now = before + len(plan.added) - len(plan.removed)
        return SyncReport(
            added=len(plan.added),
            updated=len(plan.updated),
            removed=len(plan.removed),
            unchanged=now - len(plan.added) - len(plan.updated),
            duplicates=store.entry_count(duplicates=True),
            chunks_embedded=chunks_embedded,
            rebuilt=self.target.rebuilt,
            problems=tuple(scan.problems),
            seconds=0.0,
        )

    def _touched(self, scan: FolderScan, changed_texts: set[str]) -> _Touched:
        """The articles the change touches: those of changed and removed files, as indexed and as
        read now, and every article sharing a text with them (which of a set of duplicates is
        indexed may change). Everything else is as it was."""
        store = self.store
        old = {i: e for pairs in store.entries_of_files(scan.read | scan.removed).values() for i, e in pairs}
        # Batches rewrite their articles' entries as they commit: the journal keeps what a rerun
        # after a kill needs and the entries no longer say (the files read, the texts replaced).
        changed_texts = changed_texts | {e["text_hash"] for e in old.values()}
        self.journal = (scan.read, changed_texts)
        texts = {text for _, text in scan.state.values()} | changed_texts
        related = {i: e for i, e in store.entries_with_texts(texts).items() if i not in old and i not in scan.state}
        return _Touched(
            indexed={**old, **related},
            folder={**{i: (e["hash"], e["text_hash"]) for i, e in related.items()}, **scan.state},
            file_of={**{i: e["file"] for i, e in related.items()}, **scan.file_of},
        )

    def _finish(self, scan: FolderScan, plan: SyncPlan, touched: _Touched) -> None:
        """The sync's last commit (durable: a power cut must not undo it): removals, the article
        table, the files read; then BM25 catches up."""
        store = self.store
        embedded = set(plan.embed)
        deleted: list[int] = []
        with store.transaction(durable=True):
            for article_id in plan.drop - embedded:
                deleted += store.delete_article(article_id)  # removed, or now a duplicate (batches did the rest)
            store.delete_entries(plan.removed)
            changed = {}
            for article_id, entry in plan.wanted.items():
                full = {**entry, "text_hash": touched.folder[article_id][1], "file": touched.file_of[article_id]}
                if touched.indexed.get(article_id) != full:
                    changed[article_id] = full
            store.put_entries(changed)
            # Same content read from another file: not embedded again, but cited from there.
            store.move_articles(
                {
                    i: entry["file"]
                    for i, entry in changed.items()
                    if entry["duplicate_of"] is None
                    and i not in embedded
                    and touched.indexed.get(i, {}).get("file") != entry["file"]
                }
            )
            store.delete_files(scan.removed)
            store.put_files({name: scan.files[name] for name in scan.read})
            store.clear_pending()
            store.bump_commit(time.time())
        self.lexical.delete(deleted)
        self.lexical.commit(store.commit_number())
