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
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.dense import (
    IVFPQ_FILE,
    DenseSettings,
    Segment,
    fsync_dir,
    train_codec,
    write_merged_segment,
    write_segment,
)
from qa.index.distributed import RayOptions, embed_on_ray
from qa.index.errors import IndexUnavailableError, StaleIndexError
from qa.index.generation import (
    CHUNKS_FILE,
    CURRENT_FILE,
    LEXICAL_DIR,
    SEGMENTS_DIR,
    current_generation,
)
from qa.index.lexical import LexicalIndex, LexicalWriter
from qa.index.manifest import FORMAT_VERSION, MANIFEST_FILE, IndexSettings, Manifest, read_manifest
from qa.index.merge import optimize_plan, plan_merges
from qa.index.plan import plan_sync
from qa.index.scan import read_articles_of, scan_folder, stat_changed
from qa.index.store import UNREAD, ChunkStore
from qa.schema import Article

LOCK_FILE = ".lock"
# Chunks embedded and committed per step of a large sync: a kill loses at most one batch, and memory
# holds one batch of texts and vectors (16,384 x 384 float32 = 25 MB), whatever the archive's size.
BATCH_CHUNKS = 16_384
# The codec (IVF-PQ quantizers) is retrained when the archive has grown this much since training.
RETRAIN_GROWTH = 4
CODEC_SAMPLE = 65_536  # vectors the quantizers are trained on (k-means wants ~39 per list)
PROGRESS_STEP = 512  # chunks embedded between progress reports (~3 s of int8 embedding here)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncProgress:
    """How far a sync is: told after each batch, before the first, and while a batch embeds."""

    articles_done: int
    articles_total: int
    chunks_done: int
    seconds: float
    # Articles chunked so far and their passages (the batch being embedded included): the
    # passages still to come are estimated from them, since a batch holds up to 16,384 passages
    # (the whole 337-article demo archive) and no article is done until its batch commits.
    articles_chunked: int = 0
    chunks_chunked: int = 0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_done / self.seconds if self.seconds > 0 else 0.0

    @property
    def chunks_expected(self) -> int | None:
        """The passages the whole sync will embed, estimated from the articles chunked so far."""
        if not self.articles_chunked:
            return None
        if self.articles_chunked >= self.articles_total:
            return self.chunks_chunked
        return round(self.chunks_chunked / self.articles_chunked * self.articles_total)

    @property
    def eta_seconds(self) -> float | None:
        expected = self.chunks_expected
        if not self.chunks_done or not expected or self.chunks_done >= expected:
            return None
        return self.seconds / self.chunks_done * (expected - self.chunks_done)

    def describe(self) -> str:
        """How far, for people.

        >>> SyncProgress(0, 337, 1200, 10.0, articles_chunked=337, chunks_chunked=4000).describe()
        '1,200 of 4,000 passages embedded (120 per second, about 23 s left); 0 of 337 articles done'
        >>> SyncProgress(250, 1000, 1200, 10.0, articles_chunked=250, chunks_chunked=1200).describe()
        '1,200 of ~4,800 passages embedded (120 per second, about 30 s left); 250 of 1,000 articles done'
        >>> SyncProgress(0, 337, 0, 0.5).describe()
        'reading and splitting 337 articles into passages'
        """
        expected = self.chunks_expected
        if expected is None:
            return f"reading and splitting {self.articles_total:,} articles into passages"
        about = "" if self.articles_chunked >= self.articles_total else "~"
        line = f"{self.chunks_done:,} of {about}{expected:,} passages embedded"
        details = [f"{self.chunks_per_second:,.0f} per second"] if self.chunks_done else []
        if (eta := self.eta_seconds) is not None:
            details.append(f"about {eta:.0f} s left" if eta < 60 else f"about {eta / 60:.0f} min left")
        line += f" ({', '.join(details)})" if details else ""
        return line + f"; {self.articles_done:,} of {self.articles_total:,} articles done"


ProgressCallback = Callable[[SyncProgress], None]


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    duplicates: int
    chunks_embedded: int
    rebuilt: str  # why the index was rebuilt, or ""
    problems: tuple[str, ...]
    seconds: float
    merged: int = 0  # segments folded together

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt or self.merged)

    def summary(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.updated} updated",
            f"{self.removed} removed",
            f"{self.unchanged} unchanged",
        ]
        line = ", ".join(parts) + f" ({self.chunks_embedded} chunks embedded, {self.seconds:.1f} s)"
        if self.duplicates:
            line += f"; {self.duplicates} duplicate article(s) indexed once"
        if self.merged:
            line += f"; {self.merged} segments merged"
        if self.rebuilt:
            line = f"rebuilt: {self.rebuilt}\n{line}"
        return line


@contextlib.contextmanager
def _writer_lock(directory: Path, articles_dir: Path) -> Iterator[None]:
    """One writer at a time. A second one says whom it waits for (the lock file names the holder:
    process id, articles folder, start time), then waits."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole update
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {directory}: {error.strerror or error}") from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            log.warning("waiting for the index at %s: it is being updated by %s", directory, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} (articles {articles_dir}, since {time.strftime('%H:%M:%S')})")
        handle.flush()
        yield


def bound_folder(articles_dir: Path, index_dir: Path) -> str:
    """How a manifest names its articles folder: relative to the index folder, so that a project
    moved as a whole keeps its binding."""
    return os.path.relpath(Path(articles_dir).resolve(), Path(index_dir).resolve())


@dataclass(frozen=True)
class _Target:
    """The generation a sync writes: the live one, or a new one published at the end."""

    path: Path
    manifest: Manifest
    rebuilt: str
    new: bool


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
) -> SyncReport:
    """Bring the index in line with the articles folder: embed only added or changed articles,
    drop removed ones, index duplicates once. Settings that differ from the index's force a rebuild;
    ``dense_kind`` None keeps the index's own kind (auto for a new index). An index mirrors one
    articles folder: syncing it from another refuses (it would drop the first folder's articles)
    unless ``rebuild``. ``optimize`` merges all segments into one afterwards. ``ray``: read, chunk
    and embed on a Ray cluster (`qa.index.distributed`); the result is the same index."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    articles_dir = Path(articles_dir)
    if on_progress is None and progress:
        on_progress = _print_progress
    with _writer_lock(index_dir, articles_dir):
        target = _target_generation(index_dir, articles_dir, chunker, embedder, dense_kind, rebuild)
        try:
            store = ChunkStore(target.path / CHUNKS_FILE)
        except Exception as error:
            raise IndexUnavailableError(
                f"the index at {index_dir} is damaged ({error}); rebuild it with `newsdesk index --rebuild`"
            ) from error
        try:
            _remove_orphans(target.path, store)
            lexical = _lexical_in_step(target.path, store)
            writer = _Writer(target, store, lexical, chunker, embedder, articles_dir, batch_chunks, on_progress, ray)
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
            _publish(index_dir, target.path)
        return SyncReport(**{**report.__dict__, "merged": merged, "seconds": time.perf_counter() - started})


def _print_progress(state: SyncProgress) -> None:
    print(f"\r{state.describe()}   ", end="" if state.articles_done < state.articles_total else "\n", file=sys.stderr)


def _target_generation(
    index_dir: Path,
    articles_dir: Path,
    chunker: Chunker,
    embedder: Embedder,
    dense_kind: str | None,
    rebuild: bool,
) -> _Target:
    binding = bound_folder(articles_dir, index_dir)
    live = current_generation(index_dir)
    rebuilt = "requested" if rebuild else ""
    manifest: Manifest | None = None
    if live is not None and not rebuild:
        try:
            manifest = read_manifest(index_dir / live, index_dir)
            if not (index_dir / live / CHUNKS_FILE).is_file():
                raise OSError(f"{CHUNKS_FILE} is missing")
        except StaleIndexError as error:
            rebuilt, manifest = str(error).split(";")[0], None
        except (OSError, IndexUnavailableError) as error:
            rebuilt, manifest = f"the index at {index_dir} is damaged ({error})", None
    if manifest is not None and manifest.articles_dir not in ("", binding):
        bound = (index_dir / manifest.articles_dir).resolve()
        raise IndexUnavailableError(
            f"the index at {index_dir} holds the articles of {bound}, not {articles_dir}; syncing it would "
            f"remove them. Use another index folder (--index), or `newsdesk index --rebuild` to rebuild it "
            f"from {articles_dir}"
        )
    kind = dense_kind or (manifest.settings.dense_kind if manifest else DenseSettings.kind)
    settings = IndexSettings.of(embedder, chunker, kind)
    if manifest is not None:
        if manifest.settings == settings:
            return _Target(index_dir / live, manifest, "", new=False)  # type: ignore[operator]
        rebuilt = "settings changed: " + manifest.settings.describe_change(settings)
    wanted = Manifest(FORMAT_VERSION, settings, binding)
    # An interrupted build of the same settings is resumed: its committed batches stay.
    numbers = sorted((int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()), reverse=True)
    for number in numbers:
        folder = index_dir / f"gen-{number:06d}"
        if folder.name == live:
            break
        try:
            if read_manifest(folder, index_dir) == wanted:
                if (problem := generation_problem(folder, settings.dimension)) is None:
                    log.warning("resuming the interrupted build in %s", folder)
                    return _Target(folder, wanted, rebuilt, new=True)
                log.warning("not resuming the interrupted build in %s: %s", folder, problem)
        except (OSError, IndexUnavailableError):
            pass
        shutil.rmtree(folder, ignore_errors=True)
    folder = index_dir / f"gen-{(numbers[0] if numbers else 0) + 1:06d}"
    try:
        (folder / SEGMENTS_DIR).mkdir(parents=True)
        (folder / MANIFEST_FILE).write_text(wanted.to_json(), encoding="utf-8")
        with open(folder / MANIFEST_FILE, "rb") as handle:
            os.fsync(handle.fileno())
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {index_dir}: {error.strerror or error}") from error
    return _Target(folder, wanted, rebuilt, new=True)


def generation_problem(generation: Path, dimension: int) -> str | None:
    """What keeps a generation from being opened (its store, a segment the store names, its BM25
    index), or None. Reads headers only: segments are memory-mapped, not loaded."""
    store = None
    try:
        store = ChunkStore(generation / CHUNKS_FILE, read_only=True)
        for name, chunks, ivfpq in store.segments():
            Segment.load(generation / SEGMENTS_DIR / name, chunks, dimension, searchable=False)
            if ivfpq and not (generation / SEGMENTS_DIR / name / IVFPQ_FILE).is_file():
                raise ValueError(f"segment {name} has no {IVFPQ_FILE}")
        LexicalIndex.open(generation / LEXICAL_DIR)
    except (OSError, ValueError, sqlite3.Error, IndexUnavailableError) as error:
        return str(error)
    finally:
        if store is not None:
            store.close()
    return None


def _remove_orphans(generation: Path, store: ChunkStore) -> None:
    """Segment folders no commit names: what a killed sync or merge left behind."""
    live = {name for name, _, _ in store.segments()}
    folder = generation / SEGMENTS_DIR
    folder.mkdir(exist_ok=True)
    for path in folder.iterdir():
        if path.name not in live:
            shutil.rmtree(path, ignore_errors=True)


def _lexical_in_step(generation: Path, store: ChunkStore) -> LexicalWriter:
    """A writer of the generation's BM25 index, rebuilt from the chunk store first if it does not
    reflect the store's last commit (a kill between the two commits) or cannot be read."""
    folder = generation / LEXICAL_DIR
    try:
        lexical = LexicalIndex.open(folder, create=True)
        behind = lexical.reflects() != store.commit_number()
    except (OSError, ValueError) as error:
        log.warning("the BM25 index in %s is unreadable (%s); rebuilding it from the chunk store", folder, error)
        shutil.rmtree(folder, ignore_errors=True)
        lexical, behind = LexicalIndex.open(folder, create=True), True
    writer = lexical.writer()
    if behind:
        log.warning("the BM25 index in %s is behind the chunk store (an update was killed); rebuilding it", folder)
        writer.clear()
        writer.add(store.chunk_texts())
        writer.commit(store.commit_number())
    return writer


class _Writer:
    """One sync's work on one generation."""

    def __init__(
        self,
        target: _Target,
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
        self.dimension = target.manifest.settings.dimension

    @property
    def segments_dir(self) -> Path:
        return self.target.path / SEGMENTS_DIR

    def sync(self, follow_links: bool, started: float) -> SyncReport:
        """Plan and apply what changed. Planning looks only at the articles of changed or removed
        files and at their duplicates elsewhere: its cost follows the change, not the archive."""
        store = self.store
        known = store.files()
        unfinished, changed_texts = store.pending()
        if unfinished:
            # A sync was killed after some of its batches committed: read its files again (an
            # article already embedded plans as unchanged), and remove those that went meanwhile.
            log.warning("finishing an interrupted sync: %d file(s) to read again", len(unfinished))
            known = {**known, **dict.fromkeys(unfinished, UNREAD)}
        scan = scan_folder(self.articles_dir, follow_links, known, store.owners)
        problems = tuple(scan.problems)
        before = store.entry_count()
        if not scan.read and not scan.removed:
            return SyncReport(
                0, 0, 0, before, store.entry_count(duplicates=True), 0, self.target.rebuilt, problems, 0.0
            )
        # The articles the change touches: those of changed and removed files, as indexed and as
        # read now, and every article sharing a text with them (which of a set of duplicates is
        # indexed may change). Everything else is as it was.
        old = {i: e for pairs in store.entries_of_files(scan.read | scan.removed).values() for i, e in pairs}
        # Batches rewrite their articles' entries as they commit: the journal keeps what a rerun
        # after a kill needs and the entries no longer say (the files read, the texts replaced).
        changed_texts |= {e["text_hash"] for e in old.values()}
        self.journal = (scan.read, changed_texts)
        texts = {text for _, text in scan.state.values()} | changed_texts
        related = {i: e for i, e in store.entries_with_texts(texts).items() if i not in old and i not in scan.state}
        indexed = {**old, **related}
        folder = {**{i: (e["hash"], e["text_hash"]) for i, e in related.items()}, **scan.state}
        file_of = {**{i: e["file"] for i, e in related.items()}, **scan.file_of}
        plan = plan_sync(
            folder, {i: {"hash": e["hash"], "duplicate_of": e["duplicate_of"]} for i, e in indexed.items()}
        )
        chunks_embedded = self._embed(plan.embed, set(plan.drop), file_of, started)
        embedded = set(plan.embed)
        deleted: list[int] = []
        with store.transaction(durable=True):  # the sync's last commit: a power cut must not undo it
            for article_id in plan.drop - embedded:
                deleted += store.delete_article(article_id)  # removed, or now a duplicate (batches did the rest)
            store.delete_entries(plan.removed)
            changed = {}
            for article_id, entry in plan.wanted.items():
                full = {**entry, "text_hash": folder[article_id][1], "file": file_of[article_id]}
                if indexed.get(article_id) != full:
                    changed[article_id] = full
            store.put_entries(changed)
            # Same content read from another file: not embedded again, but cited from there.
            store.move_articles(
                {
                    i: entry["file"]
                    for i, entry in changed.items()
                    if entry["duplicate_of"] is None
                    and i not in embedded
                    and indexed.get(i, {}).get("file") != entry["file"]
                }
            )
            store.delete_files(scan.removed)
            store.put_files({name: scan.files[name] for name in scan.read})
            store.clear_pending()
            store.bump_commit(time.time())
        self.lexical.delete(deleted)
        self.lexical.commit(store.commit_number())
        now = before + len(plan.added) - len(plan.removed)
        return SyncReport(
            added=len(plan.added),
            updated=len(plan.updated),
            removed=len(plan.removed),
            unchanged=now - len(plan.added) - len(plan.updated),
            duplicates=store.entry_count(duplicates=True),
            chunks_embedded=chunks_embedded,
            rebuilt=self.target.rebuilt,
            problems=problems,
            seconds=0.0,
        )

    def _embed(self, ids: tuple[str, ...], drop: set[str], file_of: dict[str, str], started: float) -> int:
        """Chunk, embed and commit ``ids`` (in folder order) batch by batch."""
        self._progress = SyncProgress(0, len(ids), 0, 0.0)
        self._started = started
        self._tell()
        # Chunked here (and embedded at commit), or read, chunked and embedded on Ray: the same
        # batches and commits either way.
        if self.ray is None:
            source = ((article, self.chunker.split(article), None) for article in self._articles(ids, file_of))
        else:
            reading = (self.ray, self.articles_dir, ids, file_of)
            source = embed_on_ray(*reading, self.chunker, self.embedder, self.dimension)
        batch: list[tuple[Article, list]] = []
        vectors: list[np.ndarray] = []
        batch_chunks = 0
        for article, chunks, article_vectors in source:
            batch.append((article, chunks))
            batch_chunks += len(chunks)
            if article_vectors is not None:
                vectors.append(article_vectors)
            if batch_chunks >= self.batch_chunks:
                self._commit_batch(batch, drop, file_of, np.vstack(vectors) if vectors else None)
                batch, vectors, batch_chunks = [], [], 0
        if batch:
            self._commit_batch(batch, drop, file_of, np.vstack(vectors) if vectors else None)
        return self._progress.chunks_done

    def _articles(self, ids: tuple[str, ...], file_of: dict[str, str]) -> Iterator[Article]:
        """The articles ``ids``, read file by file in folder order: never all in memory at once."""
        by_file: dict[str, list[str]] = {}
        for article_id in ids:
            by_file.setdefault(file_of[article_id], []).append(article_id)
        for name, wanted in by_file.items():
            found = read_articles_of(self.articles_dir, {name}, set(wanted))
            yield from (found[article_id] for article_id in wanted if article_id in found)

    def _commit_batch(
        self,
        batch: list[tuple[Article, list]],
        drop: set[str],
        file_of: dict[str, str],
        vectors: np.ndarray | None = None,
    ) -> int:
        """Write a batch's segment (embedding its chunks unless ``vectors`` came with them), then
        commit its articles, chunks and entries in one transaction."""
        store = self.store
        texts = [chunk.text for _, chunks in batch for chunk in chunks]
        self._progress = dataclasses.replace(
            self._progress,
            articles_chunked=self._progress.articles_chunked + len(batch),
            chunks_chunked=self._progress.chunks_chunked + len(texts),
        )
        if vectors is None:
            vectors = self._embed_texts(texts)
        first = int(store.meta("next_chunk_id", "1"))
        name = f"seg-{int(store.meta('next_segment', '1')):06d}"
        ivfpq = bool(texts) and self.dense.wants_ivfpq(len(texts))
        if texts:
            codec = self._codec(vectors, len(texts)) if ivfpq else None
            write_segment(self.segments_dir / name, np.arange(first, first + len(texts)), vectors, codec)
        deleted: list[int] = []
        with store.transaction():
            if self.journal is not None:
                store.put_pending(*self.journal)
                self.journal = None
            for article, _ in batch:
                if article.id in drop:
                    deleted += store.delete_article(article.id)
            at = store.take_ids(len(texts))
            assert at == first
            for article, chunks in batch:
                at += len(store.put_article(article, chunks, at))
            if texts:
                store.take_segment_name()
                store.add_segment(name, len(texts), ivfpq, first)
            store.put_entries(
                {
                    article.id: {
                        "hash": article.content_hash,
                        "text_hash": article.text_hash,
                        "duplicate_of": None,
                        "file": file_of[article.id],
                    }
                    for article, _ in batch
                }
            )
            store.bump_commit(time.time())
        self._progress = dataclasses.replace(self._progress, chunks_done=self._progress.chunks_done + len(texts))
        self._tell(articles_done=len(batch))
        self.lexical.delete(deleted)
        ids = iter(range(first, first + len(texts)))
        self.lexical.add((next(ids), article.title, chunk.text) for article, chunks in batch for chunk in chunks)
        self.lexical.commit(store.commit_number())
        return len(texts)

    def _embed_texts(self, texts: list[str]) -> np.ndarray:
        """Vectors for a batch, in steps of `PROGRESS_STEP` when someone watches the progress."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        if self.on_progress is None:
            return self.embedder.embed(texts)
        parts = []
        for begin in range(0, len(texts), PROGRESS_STEP):
            parts.append(self.embedder.embed(texts[begin : begin + PROGRESS_STEP]))
            if begin + PROGRESS_STEP < len(texts):
                self._tell(chunks_done=self._progress.chunks_done + begin + len(parts[-1]))
        return np.vstack(parts)

    def _tell(self, articles_done: int = 0, chunks_done: int | None = None) -> None:
        state = self._progress
        seconds = time.perf_counter() - self._started
        chunks = state.chunks_done if chunks_done is None else chunks_done
        shown = dataclasses.replace(
            state, articles_done=state.articles_done + articles_done, chunks_done=chunks, seconds=seconds
        )
        if chunks_done is None:
            self._progress = shown
        if self.on_progress is not None and state.articles_total:
            self.on_progress(shown)

    # Merging.

    def merge(self, optimize: bool) -> int:
        """Merge segments as the policy says (or all into one); returns how many were merged.
        Plans from the store's counts; loads only the segments it merges."""
        merged = 0
        while True:
            listed = self.store.segments()
            deleted = self.store.segment_deletions()
            if optimize:
                runs = [] if len(listed) == 1 and not deleted[0] else optimize_plan(len(listed))
            else:
                runs = plan_merges([chunks for _, chunks, _ in listed], deleted)
            if not runs:
                return merged
            tombstones = self.store.tombstones()
            for run in runs:
                segments = [
                    Segment.load(self.segments_dir / listed[i][0], listed[i][1], self.dimension, searchable=False)
                    for i in run
                ]
                self._merge_run([segment.with_tombstones(tombstones) for segment in segments])
                merged += len(run)
            if optimize:
                return merged

    def _merge_run(self, run: list[Segment]) -> None:
        live = sum(segment.live for segment in run)
        name = f"seg-{int(self.store.meta('next_segment', '1')):06d}"
        ivfpq = self.dense.wants_ivfpq(live)
        first = 0
        if live:
            codec = self._codec(None, live, run) if ivfpq else None
            first = write_merged_segment(self.segments_dir / name, run, codec)
        dropped = np.concatenate([np.asarray(s.ids)[s.deleted] for s in run])
        with self.store.transaction(durable=True):  # the folders it drops are deleted next
            self.store.drop_segments([s.name for s in run], dropped)
            if live:
                self.store.take_segment_name()
                self.store.add_segment(name, live, ivfpq, first)
            self.store.bump_commit(time.time())
        self.lexical.commit(self.store.commit_number())  # chunks unchanged: only the marker moves
        self._remove_merged([segment.name for segment in run])

    def _remove_merged(self, names: list[str]) -> None:
        """Delete the merged-away segments' folders, after the commit that dropped them: a kill
        before this leaves orphan folders, which the next sync removes."""
        for name in names:
            shutil.rmtree(self.segments_dir / name, ignore_errors=True)

    def _codec(self, vectors: np.ndarray | None, count: int, run: list[Segment] | None = None) -> faiss.Index:
        """The trained IVF-PQ quantizers for a new segment: the generation's own, retrained when the
        archive has grown `RETRAIN_GROWTH` times since they were trained."""
        total = max(count, self.store.live_chunks())
        existing = sorted(self.target.path.glob("codec-*.faiss"), key=lambda p: int(p.stem[6:]))
        if existing and int(existing[-1].stem[6:]) * RETRAIN_GROWTH >= total:
            return faiss.read_index(str(existing[-1]))
        sample = _sample(vectors, run, CODEC_SAMPLE)
        codec = train_codec(sample, total)
        path = self.target.path / f"codec-{total}.faiss"
        faiss.write_index(codec, str(path) + ".tmp")
        os.replace(str(path) + ".tmp", path)
        fsync_dir(self.target.path)
        for old in existing:
            old.unlink(missing_ok=True)
        return codec


def _sample(vectors: np.ndarray | None, run: list[Segment] | None, size: int) -> np.ndarray:
    """Up to ``size`` vectors, evenly spread, from ``vectors`` or the live rows of ``run``."""
    if vectors is not None:
        step = max(1, len(vectors) // size)
        return np.asarray(vectors[::step][:size], np.float32)
    parts = []
    total = sum(s.live for s in (run or []))
    for segment in run or []:
        share = max(1, round(size * segment.live / max(total, 1)))
        rows = np.setdiff1d(np.arange(len(segment)), segment.deleted)
        picked = rows[:: max(1, len(rows) // share)][:share]
        parts.append(np.asarray(segment.vectors[np.sort(picked)], np.float32))
    return np.vstack(parts)


def _publish(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation`` atomically, then remove the generations it replaced."""
    pointer = index_dir / (CURRENT_FILE + ".tmp")
    pointer.write_text(generation.name + "\n", encoding="utf-8")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT_FILE)
    fsync_dir(index_dir)
    for old in index_dir.glob("gen-*"):
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)


def index_is_stale(
    articles_dir: str | Path, index_dir: str | Path, chunker: Chunker, embedder: Embedder, follow_links: bool = False
) -> bool:
    """Whether the articles folder differs from what the index holds (or the index is missing or
    built with other settings). Stats the files; reads none of them."""
    index_dir = Path(index_dir)
    live = current_generation(index_dir)
    if live is None:
        return True
    try:
        manifest = read_manifest(index_dir / live, index_dir)
        store = ChunkStore(index_dir / live / CHUNKS_FILE, read_only=True)
    except (OSError, IndexUnavailableError, sqlite3.Error) as error:
        log.info("index at %s unreadable (%s): stale", index_dir, error)
        return True
    try:
        settings = manifest.settings
        if (settings.embedding_model, settings.embedding, settings.chunking) != (
            embedder.name,
            embedder.settings,
            chunker.settings,
        ):
            return True
        return stat_changed(Path(articles_dir), follow_links, store.files())
    finally:
        store.close()
