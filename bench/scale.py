"""The index at scale: synthetic archives of 10k, 100k and 1M articles (#9).

    python bench/scale.py                          # 10k and 100k articles, stand-in embedder
    python bench/scale.py --articles 1000000       # 1M articles (about an hour here)
    python bench/scale.py --articles 10000 --embedder real   # the real int8 embedder end to end

Each size runs in a fresh process (so that its peak RSS is its own) and reports: the full build
(streamed in batches), adding one article, changing one article inside a 10,000-article JSONL file,
removing one article, the staleness check of the unchanged folder, search p50/p95 per retrieval
mode over the 192 news questions, the process's peak RSS (build and queries together) and the
index's size on disk.

Archives are sentences resampled from ../shared news (bench/synthetic/), written once under
runs/bench/scale/ and reused. **The stand-in embedder is not a language model** (word hashing,
~25,000 chunks/s): it makes the run time the index machinery alone (reading, chunking, the chunk
store, BM25, segments, merges). With the real embedder the build is embedding-bound (~160
chunks/s on this machine; see bench/build.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import QUESTIONS, RUNS, table
from bench.synthetic import StandInEmbedder, add_article, modify_article, pick_article, write_archive
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index import DENSE_KINDS, DenseSettings, Index, Segment, index_is_stale, sync_index
from qa.index.dense import train_codec, write_merged_segment
from qa.index.sync import CODEC_SAMPLE
from qa.retrieval import Retriever

SCALE = RUNS / "scale"
MODES = ("hybrid", "dense", "bm25")
REPEATS = 5


def archive(articles: int) -> Path:
    """The synthetic archive of ``articles`` articles, written once."""
    folder = SCALE / f"archive-{articles}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        size = write_archive(folder, articles)
        done.write_text(json.dumps({"bytes": size}))
        print(
            f"wrote {articles:,} articles ({size / 1e6:,.0f} MB) in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return folder


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(articles: int, embedder_kind: str, dense_kind: str) -> dict[str, object]:
    """One size, in this process."""
    folder = archive(articles)
    index_dir = SCALE / f"index-{articles}-{embedder_kind}-{dense_kind}"
    shutil.rmtree(index_dir, ignore_errors=True)
    for extra in folder.glob("syn-*.json"):  # one-article files of an earlier run
        extra.unlink()
    embedder = StandInEmbedder() if embedder_kind == "stand-in" else Embedder()
    embedder.warm_up()
    chunker = Chunker()

    started = time.perf_counter()
    build = sync_index(folder, index_dir, chunker, embedder, dense_kind=dense_kind, progress=True)
    build_s = time.perf_counter() - started
    rss_build = _peak_rss_gb()
    index = Index.open(index_dir)
    row: dict[str, object] = {
        "articles": articles,
        "embedder": embedder.name,
        "chunks": index.chunk_count,
        "dense_kind": dense_kind,
        "segments": index.segment_count,
        "ivfpq_chunks": sum(len(s) for s in index.dense.segments if s.ivfpq),
        "build_s": build_s,
        "chunks_per_s": build.chunks_embedded / build_s,
        "peak_rss_build_gb": rss_build,
    }
    index.close()

    def timed(action) -> float:
        started = time.perf_counter()
        action()
        return time.perf_counter() - started

    def synced(expect: str) -> None:
        report = sync_index(folder, index_dir, chunker, embedder)
        assert getattr(report, expect) == 1, report.summary()

    stale, add, change, remove = [], [], [], []
    for repeat in range(REPEATS):
        stale.append(timed(lambda: index_is_stale(folder, index_dir, chunker, embedder)))
        number = articles + 1 + repeat
        add_article(folder, number)
        add.append(timed(lambda: synced("added")))
        modify_article(pick_article(folder, seed=repeat))
        change.append(timed(lambda: synced("updated")))
        (folder / f"syn-{number:07d}.json").unlink()
        remove.append(timed(lambda: synced("removed")))
    assert not index_is_stale(folder, index_dir, chunker, embedder)
    row.update(
        stale_s=float(np.median(stale)),
        add_s=float(np.median(add)),
        add_max_s=max(add),
        change_in_collection_s=float(np.median(change)),
        remove_s=float(np.median(remove)),
    )

    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    index = Index.open(index_dir)
    for mode in MODES:
        retriever = Retriever(index, embedder, mode=mode)
        retriever.run(questions[0], top_k=5)  # first touch of the files
        times = []
        for question in questions:
            started = time.perf_counter()
            retriever.run(question, top_k=5)
            times.append((time.perf_counter() - started) * 1000)
        row[f"{mode}_p50_ms"] = float(np.percentile(times, 50))
        row[f"{mode}_p95_ms"] = float(np.percentile(times, 95))
    row["segments_after"] = index.segment_count
    # Build, updates and queries: what a user's process holds. (The recall probes below scan
    # every vector; they are this benchmark's, not Newsdesk's, and are measured on their own.)
    row["peak_rss_gb"] = _peak_rss_gb()
    row["dense_recall_at_10"] = dense_recall(index, embedder, questions, 10)
    row["ivfpq_recall_at_10"] = ivfpq_recall(index, embedder, questions, 10, SCALE / "ivfpq-probe")
    row["peak_rss_with_probes_gb"] = _peak_rss_gb()
    index.close()
    row["index_mb"] = disk_mb(index_dir)
    return row


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def exact_top(index: Index, queries: np.ndarray, k: int) -> np.ndarray:
    """The ids of the exact top ``k`` live chunks per query: a brute-force scan of every vector,
    block by block (memory holds one block of scores, not the archive's)."""
    best_scores = np.full((len(queries), 0), -np.inf, np.float32)
    best_ids = np.zeros((len(queries), 0), np.int64)
    for segment in index.dense.segments:
        keep = np.setdiff1d(np.arange(len(segment)), segment.deleted)
        for begin in range(0, len(keep), 262_144):
            rows = keep[begin : begin + 262_144]
            scores = queries @ np.asarray(segment.vectors[rows], np.float32).T
            best_scores = np.hstack([best_scores, scores])
            best_ids = np.hstack([best_ids, np.broadcast_to(np.asarray(segment.ids)[rows], scores.shape)])
            top = np.argsort(-best_scores, axis=1)[:, :k]
            best_scores = np.take_along_axis(best_scores, top, axis=1)
            best_ids = np.take_along_axis(best_ids, top, axis=1)
    return best_ids


def _recall(found: list[list[int]], exact: np.ndarray, k: int) -> float:
    return float(np.mean([len(set(f) & set(e)) / k for f, e in zip(found, exact.tolist(), strict=True)]))


def dense_recall(index: Index, embedder: Embedder, questions: list[str], k: int) -> float:
    """How many of the exact top ``k`` chunks the dense index returns: 1.0 for exact segments,
    below it where IVF-PQ misses some."""
    queries = embedder.embed(questions)
    found = [[i for i, _ in hits] for hits in index.search_dense(queries, k)]
    return _recall(found, exact_top(index, queries, k), k)


def ivfpq_recall(index: Index, embedder: Embedder, questions: list[str], k: int, scratch: Path) -> float:
    """Recall@k against exact search of one IVF-PQ segment over all of this index's live vectors,
    with the codec and search settings a large segment gets (whatever this index itself uses).
    Written by streaming, as a merge writes: memory holds a block, not the archive."""
    segments = index.dense.segments
    live = sum(s.live for s in segments)
    sample = np.vstack(
        [
            np.asarray(s.vectors[np.setdiff1d(np.arange(len(s)), s.deleted)[:: max(1, live // CODEC_SAMPLE)]])
            for s in segments
        ]
    ).astype(np.float32)
    shutil.rmtree(scratch, ignore_errors=True)
    write_merged_segment(scratch, segments, train_codec(sample, live))
    segment = Segment.load(scratch, live, index.dense.dimension)
    queries = embedder.embed(questions)
    _, found = segment.search(queries, k, None, DenseSettings().probe)
    recall = _recall(found.tolist(), exact_top(index, queries, k), k)
    shutil.rmtree(scratch, ignore_errors=True)
    return recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--embedder", choices=("stand-in", "real"), default="stand-in")
    parser.add_argument("--dense-kind", choices=DENSE_KINDS, default="auto")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child: one size, JSON out
    args = parser.parse_args()
    if not QUESTIONS.exists():
        sys.exit(f"bench/scale.py needs {QUESTIONS} (the read-only ../shared data)")
    if args.one:
        print(json.dumps(measure(args.articles[0], args.embedder, args.dense_kind)))
        return
    rows = []
    for articles in args.articles:
        command = [sys.executable, __file__, "--one", "--articles", str(articles)]
        child = subprocess.run(
            [*command, "--embedder", args.embedder, "--dense-kind", args.dense_kind],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        (SCALE / f"result-{articles}-{args.embedder}-{args.dense_kind}.json").write_text(json.dumps(rows[-1], indent=1))
    print(f"embedder: {rows[0]['embedder']}; dense kind: {args.dense_kind}")
    print(
        table(
            [
                "articles",
                "chunks",
                "build",
                "add one",
                "change one in a JSONL",
                "remove one",
                "staleness check",
                "hybrid p50 / p95",
                "dense p50",
                "BM25 p50",
                "peak RSS",
                "index on disk",
                "segments (IVF-PQ chunks)",
                "dense recall@10 vs exact",
                "IVF-PQ recall@10 (probe)",
            ],
            [
                [
                    f"{r['articles']:,}",
                    f"{r['chunks']:,}",
                    f"{r['build_s']:.0f} s ({r['chunks_per_s']:,.0f} chunks/s)",
                    f"{r['add_s']:.2f} s (max {r['add_max_s']:.2f})",
                    f"{r['change_in_collection_s']:.2f} s",
                    f"{r['remove_s']:.2f} s",
                    f"{r['stale_s']:.2f} s",
                    f"{r['hybrid_p50_ms']:.1f} / {r['hybrid_p95_ms']:.1f} ms",
                    f"{r['dense_p50_ms']:.1f} ms",
                    f"{r['bm25_p50_ms']:.1f} ms",
                    f"{r['peak_rss_gb']:.2f} GB",
                    f"{r['index_mb']:,.0f} MB",
                    f"{r['segments_after']} ({r['ivfpq_chunks']:,})",
                    f"{r['dense_recall_at_10']:.3f}",
                    f"{r['ivfpq_recall_at_10']:.3f}",
                ]
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
