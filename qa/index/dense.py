"""Chunk vectors in immutable segments, as Lucene keeps its postings.

A segment is a folder written once and never changed::

    seg-000012/
      ids.npy        chunk ids, int64, ascending
      vectors.npy    the chunk vectors, float16 (half the bytes of float32; cosines move by <1e-3)
      ivfpq.faiss    large segments only: FAISS IVF-PQ over the same vectors, read memory-mapped

Small segments are searched exactly: their float16 vectors go into a FAISS scalar-quantizer index,
which scans 200,000 vectors in 7 ms where a float32 `IndexFlatIP` takes 30 ms on this machine (the
scan is memory-bound, and fp16 is half the memory). Large segments (`DenseSettings.large`) are
searched through IVF-PQ (48-byte codes, inverted lists memory-mapped), and the candidates are
re-ranked exactly from the float16 vectors, also memory-mapped: RAM holds neither.

Deleted chunks are tombstones (their ids, kept by the chunk store) until a merge drops them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from qa.errors import UsageError
from qa.index.errors import IndexUnavailableError
from qa.index.merge import FLOOR, MERGE_FACTOR

DENSE_KINDS = ("auto", "flat", "ivfpq")
IDS_FILE = "ids.npy"
VECTORS_FILE = "vectors.npy"
IVFPQ_FILE = "ivfpq.faiss"
# Chunks from which `auto` gives a segment IVF-PQ: the merge policy's level 3 (262,144 = 8 x 32,768,
# `qa.index.merge.level`). An exact fp16 scan costs ~0.037 ms per 1,000 vectors here (7.3 ms for
# 200,000), so the flat segments below this size, at most 7 per level, scan in well under 60 ms;
# bench/scale.py measures it.
LARGE_SEGMENT = FLOOR * MERGE_FACTOR**2
# IVF-PQ: bytes per code (384 dims / 48 = 8 dims per sub-quantizer, 8 bits each), and how many
# candidates per wanted hit are re-ranked exactly.
PQ_BYTES = 48
RERANK_FACTOR = 20
# A filter that leaves this many rows or fewer is searched exactly over those rows: IVF probes a few
# lists and may find none of them; a scan of 65,536 float16 rows takes ~5 ms.
EXACT_SUBSET = 65_536
BLOCK = 65_536  # vectors per step when merging or encoding: 48 MB of float32


@dataclass(frozen=True)
class DenseSettings:
    """How segments are searched. ``kind``: auto (exact below `LARGE_SEGMENT` chunks, IVF-PQ from
    there), flat (always exact) or ivfpq (IVF-PQ for every segment of `MIN_IVFPQ` chunks or more:
    for tests and measurements)."""

    kind: str = "auto"
    large: int = LARGE_SEGMENT
    # The share of a segment's inverted lists searched. Measured (bench/scale.py's IVF-PQ probe,
    # real embeddings of 39,886 synthetic chunks, 798 lists, recall@10 against exact search):
    # 4% of the lists 0.74, 8% 0.82, 16% 0.89, 32% 0.95, each under 1 ms a question; re-ranking
    # more candidates changed nothing, so the lists probed are what limits recall.
    probe: float = 0.25

    def __post_init__(self) -> None:
        if self.kind not in DENSE_KINDS:
            raise UsageError(f"unknown dense index kind {self.kind!r}; choose one of {', '.join(DENSE_KINDS)}")

    def wants_ivfpq(self, chunks: int) -> bool:
        threshold = {"auto": self.large, "flat": None, "ivfpq": MIN_IVFPQ}[self.kind]
        return threshold is not None and chunks >= threshold


MIN_PROBE = 16  # inverted lists searched at the least
MIN_IVFPQ = 2_000  # fewer vectors than this cannot train product quantizers of 256 centroids well


def write_segment(folder: Path, ids: np.ndarray, vectors: np.ndarray, codec: faiss.Index | None = None) -> None:
    """Write a segment folder (which must not exist) and make it durable. ``ids`` must ascend.
    With ``codec`` (an empty, trained IVF-PQ index), the segment also gets its IVF-PQ file."""
    ids = np.asarray(ids, np.int64)
    if len(ids) > 1 and not np.all(ids[1:] > ids[:-1]):
        raise ValueError("segment ids must ascend")
    folder.mkdir(parents=True)
    np.save(folder / IDS_FILE, ids)
    np.save(folder / VECTORS_FILE, np.asarray(vectors, np.float16))
    _finish_segment(folder, codec)


def write_merged_segment(folder: Path, segments: Sequence[Segment], codec: faiss.Index | None = None) -> int:
    """Write the live chunks of ``segments`` (adjacent, oldest first, so ids keep ascending) as one
    new segment, streaming: memory holds one block at a time, never the merged vectors. Returns
    its first chunk id. Vectors are read and written with plain file I/O, not memory maps: a
    mapped 3 GB merge at 4M chunks counted its pages in the process's resident memory."""
    total = sum(segment.live for segment in segments)
    dimension = segments[0].vectors.shape[1]
    folder.mkdir(parents=True)
    ids = np.concatenate([np.delete(np.asarray(s.ids), s.deleted) for s in segments]).astype(np.int64)
    if total > 1 and not np.all(ids[1:] > ids[:-1]):
        raise ValueError("merged segments must be adjacent, oldest first")
    np.save(folder / IDS_FILE, ids)
    with open(folder / VECTORS_FILE, "wb") as out:
        header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float16)), "fortran_order": False}
        np.lib.format.write_array_header_1_0(out, {**header, "shape": (total, dimension)})
        for segment in segments:
            keep = np.ones(len(segment), bool)
            keep[segment.deleted] = False
            for begin in range(0, len(segment), BLOCK):
                block = read_rows(segment.vectors, begin, min(begin + BLOCK, len(segment)))
                out.write(np.ascontiguousarray(block[keep[begin : begin + BLOCK]], np.float16).tobytes())
    _finish_segment(folder, codec)
    return int(ids[0]) if total else 0


def read_rows(vectors: np.ndarray, begin: int, end: int) -> np.ndarray:
    """Rows ``begin:end`` of a segment's vectors: from the file, without mapping it (the pages of a
    map stay resident in the process), or from memory."""
    if isinstance(vectors, np.memmap) and vectors.filename is not None:
        width = vectors.shape[1]
        flat = np.fromfile(
            vectors.filename,
            dtype=vectors.dtype,
            count=(end - begin) * width,
            offset=vectors.offset + begin * width * vectors.dtype.itemsize,
        )
        return flat.reshape(end - begin, width)
    return np.asarray(vectors[begin:end])


def _finish_segment(folder: Path, codec: faiss.Index | None) -> None:
    names = [IDS_FILE, VECTORS_FILE]
    if codec is not None:
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r")
        index = faiss.clone_index(codec)
        for begin in range(0, len(vectors), BLOCK):
            block = read_rows(vectors, begin, min(begin + BLOCK, len(vectors))).astype(np.float32)
            index.add_with_ids(block, np.arange(begin, begin + len(block), dtype=np.int64))
        faiss.write_index(index, str(folder / IVFPQ_FILE))
        names.append(IVFPQ_FILE)
    for name in names:
        with open(folder / name, "rb") as handle:
            os.fsync(handle.fileno())
    fsync_dir(folder)


def train_codec(sample: np.ndarray, expected: int) -> faiss.Index:
    """An empty IVF-PQ index trained on ``sample`` for an archive of about ``expected`` vectors:
    ~4·√N inverted lists (FAISS's guideline), 48-byte codes."""
    sample = np.ascontiguousarray(sample, np.float32)
    dimension = sample.shape[1]
    lists = int(np.clip(4 * np.sqrt(max(expected, 1)), 16, 16_384))
    lists = max(1, min(lists, len(sample) // 39))  # k-means wants ~39 points per centroid
    bits = 8 if len(sample) >= 256 * 39 else 6
    quantizer = faiss.IndexFlatIP(dimension)
    codec = faiss.IndexIVFPQ(quantizer, dimension, lists, _pq_parts(dimension), bits, faiss.METRIC_INNER_PRODUCT)
    codec.train(sample)
    return codec


def _pq_parts(dimension: int) -> int:
    for parts in (PQ_BYTES, 32, 24, 16, 12, 8, 4, 2, 1):
        if dimension % parts == 0:
            return parts
    return 1


@dataclass
class Segment:
    """One loaded segment. ``deleted``: its rows whose chunks are tombstoned."""

    name: str
    ids: np.ndarray = field(repr=False)
    vectors: np.ndarray = field(repr=False)  # float16, memory-mapped
    index: faiss.Index | None = field(repr=False)  # None: loaded to be merged, not searched
    ivfpq: bool
    deleted: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def load(cls, folder: Path, expected_chunks: int, dimension: int, searchable: bool = True) -> Segment:
        """Load a segment, checking it against what the chunk store recorded for it: a damaged or
        missing file is an `IndexUnavailableError` that says how to repair, never a crash in FAISS."""
        try:
            ids = np.load(folder / IDS_FILE, mmap_mode="r")
            vectors = np.load(folder / VECTORS_FILE, mmap_mode="r")
            if ids.dtype != np.int64 or ids.shape != (expected_chunks,):
                raise ValueError(f"{IDS_FILE} holds {ids.shape} {ids.dtype}, expected ({expected_chunks},) int64")
            if vectors.dtype != np.float16 or vectors.shape != (expected_chunks, dimension):
                raise ValueError(
                    f"{VECTORS_FILE} holds {vectors.shape} {vectors.dtype}, expected "
                    f"({expected_chunks}, {dimension}) float16"
                )
            ivfpq = (folder / IVFPQ_FILE).exists()
            index: faiss.Index | None = None
            if not searchable:
                pass
            elif ivfpq:
                index = faiss.read_index(str(folder / IVFPQ_FILE), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
                if index.ntotal != expected_chunks or index.d != dimension:
                    raise ValueError(f"{IVFPQ_FILE} holds {index.ntotal} vectors of {index.d} dimensions")
            else:
                index = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
                if expected_chunks:
                    faiss.copy_array_to_vector(np.ascontiguousarray(vectors).view(np.uint8).ravel(), index.codes)
                    index.ntotal = expected_chunks
        except (OSError, ValueError, RuntimeError, EOFError) as error:
            raise IndexUnavailableError(
                f"segment {folder.name} of the index at {folder.parent.parent} is damaged ({error}); "
                "rebuild the index with `newsdesk index --rebuild`"
            ) from error
        return cls(folder.name, ids, vectors, index, ivfpq)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def live(self) -> int:
        return len(self.ids) - len(self.deleted)

    def with_tombstones(self, tombstones: np.ndarray) -> Segment:
        """This segment with ``tombstones`` (sorted chunk ids, any segment's) marked deleted."""
        rows = np.flatnonzero(np.isin(self.ids, tombstones, assume_unique=True)).astype(np.int64)
        return Segment(self.name, self.ids, self.vectors, self.index, self.ivfpq, rows)

    def rows_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """The rows of those of ``chunk_ids`` (sorted) that this segment holds."""
        positions = np.searchsorted(self.ids, chunk_ids)
        inside = positions < len(self.ids)
        positions, chunk_ids = positions[inside], chunk_ids[inside]
        return positions[np.asarray(self.ids[positions]) == chunk_ids].astype(np.int64)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None, probe: float = DenseSettings.probe
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, chunk ids) of the ``k`` best live chunks per query; ids -1 past the end.
        ``allowed``: sorted chunk ids to limit the search to (None: all)."""
        empty = (np.full((len(queries), k), -np.inf, np.float32), np.full((len(queries), k), -1, np.int64))
        if allowed is not None:
            rows = self._rows_in(allowed)
            if not len(rows):
                return empty
            if len(rows) <= EXACT_SUBSET:
                return self._search_rows(queries, k, rows)
            selector = faiss.IDSelectorBatch(rows)
        elif len(self.deleted):
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(self.deleted))
        else:
            selector = None
        if not self.live:
            return empty
        if self.ivfpq:
            wanted = min(len(self), k * RERANK_FACTOR)
            lists = faiss.extract_index_ivf(self.index).nlist
            params = faiss.SearchParametersIVF(
                sel=selector, nprobe=min(lists, max(MIN_PROBE, math.ceil(lists * probe)))
            )
            _, rows = self.index.search(queries, wanted, params=params)
            scores = np.full(rows.shape, -np.inf, np.float32)
            for q, row in enumerate(rows):
                found = row[row >= 0]
                scores[q, : len(found)] = np.asarray(self.vectors[np.sort(found)], np.float32) @ queries[q]
                rows[q, : len(found)] = np.sort(found)
            order = np.argsort(-scores, axis=1)[:, :k]
            rows = np.take_along_axis(rows, order, axis=1)
            scores = np.take_along_axis(scores, order, axis=1)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
            scores, rows = self.index.search(queries, min(k, len(self)), params=params)
        ids = np.where(rows >= 0, self.ids[np.clip(rows, 0, None)], -1)
        return scores, ids

    def _search_rows(self, queries: np.ndarray, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact search over a few rows (a filter's): cheaper than any index, and never misses."""
        scores = queries @ np.asarray(self.vectors[rows], np.float32).T
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        top = np.take_along_axis(scores, order, axis=1)
        ids = np.asarray(self.ids[rows])[order]
        if top.shape[1] < k:
            pad = k - top.shape[1]
            top = np.pad(top, ((0, 0), (0, pad)), constant_values=-np.inf)
            ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
        return top.astype(np.float32), ids

    def _rows_in(self, allowed: np.ndarray) -> np.ndarray:
        rows = self.rows_of(allowed)
        if len(self.deleted):
            rows = np.setdiff1d(rows, self.deleted, assume_unique=True)
        return rows


@dataclass
class DenseIndex:
    """The live segments, searched together: each gives its best, the best of those win."""

    dimension: int
    settings: DenseSettings
    segments: list[Segment]

    def __len__(self) -> int:
        return sum(segment.live for segment in self.segments)

    @property
    def kind(self) -> str:
        return self.settings.kind

    def search(self, vectors: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest chunks per query row, best first; ids -1 past the end.
        ``allowed``: chunk ids to limit the search to."""
        queries = np.ascontiguousarray(vectors, np.float32)
        if allowed is not None:
            allowed = np.unique(np.asarray(allowed, np.int64))
        parts = [segment.search(queries, k, allowed, self.settings.probe) for segment in self.segments]
        if not parts:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        scores = np.hstack([p[0] for p in parts])
        ids = np.hstack([p[1] for p in parts])
        scores = np.where(ids >= 0, scores, -np.inf)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, order, axis=1), np.take_along_axis(ids, order, axis=1)


def fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
