"""Whether an index is behind its articles folder, by stat alone."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.errors import IndexUnavailableError
from qa.index.manifest import read_manifest
from qa.index.scan import stat_changed
from qa.index.searcher import CHUNKS_FILE, current_generation
from qa.index.store import ChunkStore

log = logging.getLogger(__name__)


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
