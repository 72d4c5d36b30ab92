"""Chunk vectors in FAISS, keyed by chunk id (flat, IVF or HNSW)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

DENSE_KINDS = ("flat", "ivf", "hnsw")


@dataclass
class DenseIndex:
    """Chunk vectors in FAISS, keyed by chunk id. ``kind``: flat (exact inner product, the
    default), ivf (inverted lists, for large archives) or hnsw (graph, for large archives)."""

    kind: str
    dimension: int
    index: faiss.Index = field(repr=False)

    @classmethod
    def create(cls, kind: str, dimension: int, training: np.ndarray | None = None) -> DenseIndex:
        if kind not in DENSE_KINDS:
            raise ValueError(f"unknown dense index kind {kind!r}; choose one of {', '.join(DENSE_KINDS)}")
        if kind == "flat":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        elif kind == "hnsw":
            index = faiss.IndexIDMap2(faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT))
        else:
            vectors = training if training is not None else np.zeros((0, dimension), np.float32)
            lists = max(1, min(1024, int(4 * np.sqrt(max(1, len(vectors)))), len(vectors) // 39 or 1))
            quantizer = faiss.IndexFlatIP(dimension)
            ivf = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
            ivf.train(
                vectors if len(vectors) else np.random.default_rng(0).normal(size=(lists, dimension)).astype(np.float32)
            )
            ivf.nprobe = min(lists, 16)
            index = ivf
        return cls(kind, dimension, index)

    @classmethod
    def load(cls, path: Path, kind: str) -> DenseIndex:
        index = faiss.read_index(str(path))
        if kind == "ivf":
            faiss.extract_index_ivf(index).nprobe = min(faiss.extract_index_ivf(index).nlist, 16)
        return cls(kind, index.d, index)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, np.float32), np.asarray(ids, np.int64))

    def remove(self, ids: Iterable[int]) -> None:
        doomed = np.fromiter(ids, dtype=np.int64)
        if not len(doomed):
            return
        if self.kind != "hnsw":
            self.index.remove_ids(faiss.IDSelectorBatch(doomed))
            return
        # HNSW graphs cannot delete: rebuild from the vectors that stay.
        keep = np.setdiff1d(faiss.vector_to_array(self.index.id_map), doomed)
        vectors = np.vstack([self.index.reconstruct(int(i)) for i in keep]) if len(keep) else None
        self.index = DenseIndex.create("hnsw", self.dimension).index
        if vectors is not None:
            self.add(keep, vectors)

    def search(self, vectors: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest chunks per query row; ids are -1 past the end."""
        if not len(self):
            return np.zeros((len(vectors), 0), np.float32), np.zeros((len(vectors), 0), np.int64)
        k = max(1, min(k, len(self)))
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.asarray(allowed, np.int64))
            if self.kind == "ivf":
                params = faiss.SearchParametersIVF(sel=selector, nprobe=faiss.extract_index_ivf(self.index).nprobe)
            elif self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector)
            else:
                params = faiss.SearchParameters(sel=selector)
        scores, ids = self.index.search(np.ascontiguousarray(vectors, np.float32), k, params=params)
        return scores, ids
