"""Embedding what a sync plans, batch by batch: each batch a new immutable segment of vectors and
one SQLite transaction naming it (a kill loses at most the batch being written)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.dense import DenseSettings, write_segment
from qa.index.distributed import RayOptions, embed_on_ray
from qa.index.lexical import LexicalWriter
from qa.index.progress import ProgressCallback, SyncProgress
from qa.index.scan import read_articles_of
from qa.index.store import ChunkStore
from qa.schema import Article

PROGRESS_STEP = 512  # chunks embedded between progress reports (~3 s of int8 embedding here)


class BatchWriter:
    """The writer's embedding job (a part of `qa.index.sync._Writer`): articles chunked and
    embedded in batches, each committed as a segment plus one transaction."""

    store: ChunkStore
    lexical: LexicalWriter
    chunker: Chunker
    embedder: Embedder
    articles_dir: Path
    batch_chunks: int
    on_progress: ProgressCallback | None
    ray: RayOptions | None
    dense: DenseSettings
    dimension: int
    journal: tuple[set[str], set[str]] | None
    segments_dir: Path
    stop_after: int | None
    _progress: SyncProgress
    _started: float
    # and SegmentMerger's _codec, for the IVF-PQ segments of large batches

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
                if self.stop_after is not None and self._progress.chunks_done >= self.stop_after:
                    return self._progress.chunks_done  # a first part (sync_index's first_chunks)
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
