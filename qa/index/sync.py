"""Keeping an index in line with its articles folder: plan, embed, write a new generation, publish
it atomically. One writer at a time (a lock file that names its holder)."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.articles import read_articles
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.dense import DenseIndex
from qa.index.errors import IndexUnavailableError
from qa.index.generation import CHUNKS_FILE, CURRENT_FILE, DENSE_FILE, MANIFEST_FILE, Index
from qa.index.manifest import FORMAT_VERSION, IndexSettings, Manifest
from qa.index.plan import plan_sync
from qa.index.store import ChunkStore
from qa.schema import Article

LOCK_FILE = ".lock"
# Told (chunks embedded so far, chunks to embed, articles being indexed) while a sync embeds.
ProgressCallback = Callable[[int, int, int], None]
PROGRESS_STEP = 128
log = logging.getLogger(__name__)


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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

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


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def bound_folder(articles_dir: Path, index_dir: Path) -> str:
    """How a manifest names its articles folder: relative to the index folder, so that a project
    moved as a whole keeps its binding."""
    return os.path.relpath(Path(articles_dir).resolve(), Path(index_dir).resolve())


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
) -> SyncReport:
    """Bring the index in line with the articles folder: embed only added or changed articles,
    drop removed ones, index duplicates once. Settings that differ from the index's force a rebuild;
    ``dense_kind`` None keeps the index's own kind (flat for a new index). An index mirrors one
    articles folder: syncing it from another refuses (it would drop the first folder's articles)
    unless ``rebuild``."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    articles_dir = Path(articles_dir)
    binding = bound_folder(articles_dir, index_dir)
    with _writer_lock(index_dir, articles_dir):
        # Read inside the lock: a writer that waited must see what the one before it added.
        reading = read_articles(articles_dir, follow_links=follow_links)
        previous: Index | None = None
        rebuilt = "requested" if rebuild else ""
        if not rebuild and Index.exists(index_dir):
            try:
                previous = Index.open(index_dir)
            except IndexUnavailableError as error:
                rebuilt = str(error).split(";")[0]
        if previous is not None and previous.manifest.articles_dir not in ("", binding):
            bound = (index_dir / previous.manifest.articles_dir).resolve()
            previous.close()
            raise IndexUnavailableError(
                f"the index at {index_dir} holds the articles of {bound}, not {articles_dir}; syncing it would "
                f"remove them. Use another index folder (--index), or `newsdesk index --rebuild` to rebuild it "
                f"from {articles_dir}"
            )
        if dense_kind is None:
            dense_kind = previous.manifest.settings.dense_kind if previous else "flat"
        settings = IndexSettings.of(embedder, chunker, dense_kind)
        if previous is not None and previous.manifest.settings != settings:
            rebuilt = "settings changed: " + previous.manifest.settings.describe_change(settings)
            previous.close()
            previous = None
        indexed = previous.manifest.articles if previous else {}
        plan = plan_sync({a.id: (a.content_hash, a.text_hash) for a in reading.articles}, indexed)
        if previous is not None and not plan.changes(indexed) and previous.manifest.articles_dir:
            previous.close()
            return SyncReport(
                0, 0, 0, plan.unchanged, plan.duplicates, 0, "", reading.problems, time.perf_counter() - started
            )
        to_embed = set(plan.embed)
        embed = [a for a in reading.articles if a.id in to_embed]

        generation = _new_generation(index_dir)
        try:
            store_path = generation / CHUNKS_FILE
            if previous is not None:
                previous.store.copy_to(store_path)
                dense = previous.dense
                previous.close()
            else:
                dense = DenseIndex.create(dense_kind, settings.dimension)
            store = ChunkStore(store_path)
            with store.db:
                removed_ids: list[int] = []
                for article_id in plan.drop:
                    removed_ids.extend(store.delete_article(article_id))
                dense.remove(removed_ids)
                chunks_embedded = _embed_articles(
                    embed, store, dense, chunker, embedder, dense_kind, progress, on_progress
                )
            store.close()
            dense.save(generation / DENSE_FILE)
            manifest = Manifest(FORMAT_VERSION, settings, plan.wanted, time.time(), binding)
            (generation / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
            for name in (CHUNKS_FILE, DENSE_FILE, MANIFEST_FILE):
                with open(generation / name, "rb") as handle:
                    os.fsync(handle.fileno())
            _publish(index_dir, generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return SyncReport(
            added=len(plan.added),
            updated=len(plan.updated),
            removed=len(plan.removed),
            unchanged=plan.unchanged,
            duplicates=plan.duplicates,
            chunks_embedded=chunks_embedded,
            rebuilt=rebuilt,
            problems=reading.problems,
            seconds=time.perf_counter() - started,
        )


def _embed_articles(
    articles: Sequence[Article],
    store: ChunkStore,
    dense: DenseIndex,
    chunker: Chunker,
    embedder: Embedder,
    dense_kind: str,
    progress: bool,
    on_progress: ProgressCallback | None = None,
) -> int:
    chunks_by_article = [(article, chunker.split(article)) for article in articles]
    texts = [chunk.text for _, chunks in chunks_by_article for chunk in chunks]
    if not texts:
        return 0
    if on_progress is None:
        vectors = embedder.embed(texts, progress=progress)
    else:
        # In steps, so that a chat can show how far it got (a 5 MB upload is ~7,000 chunks).
        parts = []
        for begin in range(0, len(texts), PROGRESS_STEP):
            on_progress(begin, len(texts), len(articles))
            parts.append(embedder.embed(texts[begin : begin + PROGRESS_STEP]))
        on_progress(len(texts), len(texts), len(articles))
        vectors = np.vstack(parts)
    if dense_kind == "ivf" and len(dense) == 0:
        # Inverted lists are trained on the data they will hold.
        dense.index = DenseIndex.create("ivf", dense.dimension, training=vectors).index
    next_id = store.next_chunk_id()
    ids: list[int] = []
    for article, chunks in chunks_by_article:
        ids.extend(store.put_article(article, chunks, next_id + len(ids)))
    dense.add(np.asarray(ids, np.int64), vectors)
    return len(texts)


def _new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    generation = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    try:
        generation.mkdir()
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {index_dir}: {error.strerror or error}") from error
    return generation


def _publish(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation`` atomically, then remove the generations it replaced."""
    pointer = index_dir / (CURRENT_FILE + ".tmp")
    pointer.write_text(generation.name + "\n", encoding="utf-8")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)
    for old in index_dir.glob("gen-*"):
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)


def index_is_stale(
    articles_dir: str | Path, index_dir: str | Path, chunker: Chunker, embedder: Embedder, follow_links: bool = False
) -> bool:
    """Whether the articles folder differs from what the index holds (or the index is missing or
    built with other settings)."""
    index_dir = Path(index_dir)
    if not Index.exists(index_dir):
        return True
    try:
        index = Index.open(index_dir)
    except IndexUnavailableError:
        return True
    try:
        settings = index.manifest.settings
        if (settings.embedding_model, settings.embedding, settings.chunking) != (
            embedder.name,
            embedder.settings,
            chunker.settings,
        ):
            return True
        hashes = {a.id: a.content_hash for a in read_articles(articles_dir, follow_links=follow_links).articles}
        return hashes != {i: entry["hash"] for i, entry in index.manifest.articles.items()}
    finally:
        index.close()
