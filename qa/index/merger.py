"""Merging a generation's segments (Lucene's segment merger): the runs the policy plans are
rewritten as one segment, committed durably, and the merged-away folders removed after."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import faiss
import numpy as np

from qa.index.dense import DenseSettings, Segment, fsync_dir, train_codec, write_merged_segment
from qa.index.lexical import LexicalWriter
from qa.index.merge import optimize_plan, plan_merges
from qa.index.searcher import SEGMENTS_DIR
from qa.index.store import ChunkStore
from qa.index.target import Target

# The codec (IVF-PQ quantizers) is retrained when the archive has grown this much since training.
RETRAIN_GROWTH = 4
CODEC_SAMPLE = 65_536  # vectors the quantizers are trained on (k-means wants ~39 per list)


class SegmentMerger:
    """The writer's merging job (a part of `qa.index.sync._Writer`): segments merged as
    `qa.index.merge` plans, and the IVF-PQ codec they are written with."""

    store: ChunkStore
    target: Target
    dense: DenseSettings
    lexical: LexicalWriter
    dimension: int

    @property
    def segments_dir(self) -> Path:
        return self.target.path / SEGMENTS_DIR

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
