"""The generation a sync writes: the live one, or a new one (resumed when an interrupted build of the
same settings is found), made whole before it is published by replacing ``CURRENT`` atomically."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.dense import IVFPQ_FILE, DenseSettings, Segment, fsync_dir
from qa.index.errors import IndexUnavailableError, StaleIndexError
from qa.index.lexical import LexicalIndex, LexicalWriter
from qa.index.manifest import FORMAT_VERSION, MANIFEST_FILE, IndexSettings, Manifest, read_manifest
from qa.index.searcher import CHUNKS_FILE, CURRENT_FILE, LEXICAL_DIR, SEGMENTS_DIR, current_generation
from qa.index.store import ChunkStore
from qa.index.writer_lock import bound_folder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """The generation a sync writes: the live one, or a new one published at the end."""

    path: Path
    manifest: Manifest
    rebuilt: str
    new: bool


def target_generation(
    index_dir: Path,
    articles_dir: Path,
    chunker: Chunker,
    embedder: Embedder,
    dense_kind: str | None,
    rebuild: bool,
) -> Target:
    """The live generation when its settings are the ones wanted, else a new one: an interrupted
    build of the same settings resumed, or a fresh folder. `IndexUnavailableError` when the index
    mirrors another articles folder (syncing would remove its articles)."""
    binding = bound_folder(articles_dir, index_dir)
    live = current_generation(index_dir)
    manifest, rebuilt = (None, "requested") if rebuild or live is None else _live_manifest(index_dir, live)
    if live is None and not rebuild:
        rebuilt = ""
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
            return Target(index_dir / str(live), manifest, "", new=False)
        rebuilt = "settings changed: " + manifest.settings.describe_change(settings)
    wanted = Manifest(FORMAT_VERSION, settings, binding)
    newest = max(_generation_numbers(index_dir), default=0)  # numbers are never reused
    return _resumed_build(index_dir, live, wanted, rebuilt) or _new_generation(index_dir, newest + 1, wanted, rebuilt)


def _live_manifest(index_dir: Path, live: str) -> tuple[Manifest | None, str]:
    """The live generation's manifest, or None and why it must be rebuilt."""
    try:
        manifest = read_manifest(index_dir / live, index_dir)
        if not (index_dir / live / CHUNKS_FILE).is_file():
            raise OSError(f"{CHUNKS_FILE} is missing")
    except StaleIndexError as error:
        return None, str(error).split(";")[0]
    except (OSError, IndexUnavailableError) as error:
        return None, f"the index at {index_dir} is damaged ({error})"
    return manifest, ""


def _generation_numbers(index_dir: Path) -> list[int]:
    """The generations in the folder, newest first."""
    return sorted((int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()), reverse=True)


def _resumed_build(index_dir: Path, live: str | None, wanted: Manifest, rebuilt: str) -> Target | None:
    """An interrupted build of the same settings, newer than the live generation, whole enough to
    go on from (its committed batches stay); other unfinished builds are removed."""
    for number in _generation_numbers(index_dir):
        folder = index_dir / f"gen-{number:06d}"
        if folder.name == live:
            break
        try:
            if read_manifest(folder, index_dir) == wanted:
                if (problem := generation_problem(folder, wanted.settings.dimension)) is None:
                    log.warning("resuming the interrupted build in %s", folder)
                    return Target(folder, wanted, rebuilt, new=True)
                log.warning("not resuming the interrupted build in %s: %s", folder, problem)
        except (OSError, IndexUnavailableError):
            pass
        shutil.rmtree(folder, ignore_errors=True)
    return None


def _new_generation(index_dir: Path, number: int, wanted: Manifest, rebuilt: str) -> Target:
    """A new generation folder with its manifest, made durable."""
    folder = index_dir / f"gen-{number:06d}"
    try:
        (folder / SEGMENTS_DIR).mkdir(parents=True)
        (folder / MANIFEST_FILE).write_text(wanted.to_json(), encoding="utf-8")
        with open(folder / MANIFEST_FILE, "rb") as handle:
            os.fsync(handle.fileno())
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {index_dir}: {error.strerror or error}") from error
    return Target(folder, wanted, rebuilt, new=True)


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


def remove_orphans(generation: Path, store: ChunkStore) -> None:
    """Segment folders no commit names: what a killed sync or merge left behind."""
    live = {name for name, _, _ in store.segments()}
    folder = generation / SEGMENTS_DIR
    folder.mkdir(exist_ok=True)
    for path in folder.iterdir():
        if path.name not in live:
            shutil.rmtree(path, ignore_errors=True)


def lexical_in_step(generation: Path, store: ChunkStore) -> LexicalWriter:
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


def publish(index_dir: Path, generation: Path) -> None:
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
