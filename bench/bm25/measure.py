"""Timing every variant over the questions and the table of results."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bench.bm25
from bench.bm25.corpus import QUESTIONS, TOP_K, VARIANTS, WARM_UP, WORK, Corpus, dir_mb, read_jsonl
from bench.bm25.fts import FtsSearch, build_fts, optimize_fts
from bench.bm25.tantivy_index import (
    TantivySearch,
    build_tantivy,
    child,
    run_child,
    tantivy_crash_tests,
    tantivy_updates,
)


@dataclass
class Result:
    variant: str
    build_s: float
    index_mb: float
    p50: float
    p95: float
    overlap: float
    hit: float
    results: list[list[int]]


def measure(search: Callable[[str, int], list[int]], questions: list[dict]) -> tuple[list[list[int]], list[float]]:
    for question in questions[:WARM_UP]:
        search(question["question"], TOP_K)
    results, times = [], []
    for question in questions:
        started = time.perf_counter()
        results.append(search(question["question"], TOP_K))
        times.append((time.perf_counter() - started) * 1000)
    return results, times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def score(
    variant: str,
    build_s: float,
    index_mb: float,
    results: list[list[int]],
    times: list[float],
    questions: list[dict],
    corpus: Corpus,
    baseline: list[list[int]] | None,
) -> Result:
    gold = [(q.get("article_id"), r) for q, r in zip(questions, results, strict=True)]
    known = set(corpus.article_of.values())
    hits = [any(corpus.article_of.get(i) == a for i in r) for a, r in gold if a in known]
    overlap = float("nan")
    if baseline is not None:
        shares = [len(set(b[:10]) & set(r[:10])) / len(b[:10]) for b, r in zip(baseline, results, strict=True) if b]
        overlap = statistics.mean(shares) if shares else float("nan")
    return Result(
        variant,
        build_s,
        index_mb,
        percentile(times, 0.5),
        percentile(times, 0.95),
        overlap,
        statistics.mean(hits) if hits else float("nan"),
        results,
    )


def table(rows: list[Result]) -> str:
    headers = ["variant", "build s", "index MB", "p50 ms", "p95 ms", "overlap@10 vs today", "gold-article hit@20"]
    cells = [headers] + [
        [
            r.variant,
            f"{r.build_s:.0f}",
            f"{r.index_mb:.0f}",
            f"{r.p50:.1f}",
            f"{r.p95:.1f}",
            f"{r.overlap:.2f}",
            f"{r.hit:.2f}",
        ]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


FTS_SETTINGS = {
    "fts5-today": {"rank": False},
    "fts5-rank": {"rank": True},
    "fts5-rare4": {"rank": False, "keep": 4},
    "fts5-rare6": {"rank": False, "keep": 6},
    "fts5-df1pct": {"rank": False, "max_df": 0.01},
    "fts5-opt-rank": {"rank": True},
    "fts5-opt-rare4": {"rank": False, "keep": 4},
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bm25",
        description=bench.bm25.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--chunks", type=int, default=500_000, help="synthetic chunks (the real ones come on top)")
    parser.add_argument("--questions", type=int, default=None, help="use only the first N questions")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=VARIANTS)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tantivy-heap", type=int, default=200_000_000, help="writer heap in bytes")
    parser.add_argument("--tantivy-threads", type=int, default=1)
    parser.add_argument("--no-crash-test", action="store_true", help="skip killing tantivy writers")
    parser.add_argument("--keep", action="store_true", help="keep the indexes under runs/bench/bm25/")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if args.child:
        child(*args.child)
        return
    questions = list(read_jsonl(QUESTIONS))[: args.questions]
    started = time.perf_counter()
    corpus = Corpus(args.chunks, args.seed)
    print(
        f"corpus: {args.chunks:,} synthetic + {len(corpus.real):,} real chunks = {corpus.total:,}; "
        f"{len(corpus.sentences):,} sentences, {len(corpus.titles):,} titles; {len(questions)} questions "
        f"({time.perf_counter() - started:.1f} s to load)",
        file=sys.stderr,
    )
    WORK.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{args.chunks}-", dir=WORK))
    notes: list[str] = []
    try:
        rows = _measure_variants(args, corpus, questions, folder, notes)
        if any(v.startswith("tantivy") for v in args.variants):
            notes += _tantivy_notes(args, folder / "tantivy", corpus, questions)
    finally:
        if args.keep:
            print(f"indexes kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{corpus.total:,} chunks ({args.chunks:,} synthetic), {len(questions)} questions, k={TOP_K}\n")
    print(table(rows))
    print()
    for note in notes:
        print(f"- {note}")


def _measure_variants(
    args: argparse.Namespace, corpus: Corpus, questions: list[dict], folder: Path, notes: list[str]
) -> list[Result]:
    """Build each variant's index (FTS5 once, optimized once; Tantivy once) and measure it."""
    wanted = [v for v in VARIANTS if v in args.variants]
    rows: list[Result] = []
    baseline: list[list[int]] | None = None
    fts_path, fts_build, tantivy_build = folder / "chunks_fts.sqlite", 0.0, 0.0
    if any(v.startswith("fts5") for v in wanted):
        fts_build = build_fts(fts_path, corpus)
        notes.append(f"corpus text: {corpus.characters / 1e6:.0f} MB (FTS5 size includes a copy of it)")
    if "fts5-today" not in wanted:
        notes.append("fts5-today not run: overlap is against the first variant instead")
    for variant in wanted:
        if variant == "fts5-opt-rank" or (variant == "fts5-opt-rare4" and "fts5-opt-rank" not in wanted):
            optimize_s = optimize_fts(fts_path)
            notes.append(f"FTS5 optimize: {optimize_s:.0f} s (added to the fts5-opt-* build)")
            fts_build += optimize_s
        if variant.startswith("fts5"):
            search: FtsSearch | TantivySearch = FtsSearch(fts_path, corpus.total, **FTS_SETTINGS[variant])
            build_s, index_mb = fts_build, fts_path.stat().st_size / 1e6
        else:
            tantivy_path = folder / "tantivy"
            if not tantivy_path.exists():
                tantivy_path.mkdir()
                tantivy_build = build_tantivy(tantivy_path, corpus, args.tantivy_heap, args.tantivy_threads)
            search = TantivySearch(tantivy_path, keep=4 if variant == "tantivy-rare4" else None)
            build_s, index_mb = tantivy_build, dir_mb(tantivy_path)
        print(f"  measuring {variant}", file=sys.stderr)
        results, times = measure(search.search, questions)
        search.close()
        row = score(variant, build_s, index_mb, results, times, questions, corpus, baseline)
        if baseline is None:
            baseline = results
            row.overlap = 1.0
        rows.append(row)
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    return rows


def _tantivy_notes(args: argparse.Namespace, tantivy_path: Path, corpus: Corpus, questions: list[dict]) -> list[str]:
    """Tantivy's reopen time in a fresh process, its updates, and (unless skipped) its crash tests."""
    sample = json.dumps([q["question"] for q in questions[:50]])
    notes = ["tantivy reopen in a fresh process: " + run_child("open", tantivy_path, sample)]
    updates = tantivy_updates(tantivy_path, corpus, questions, args.tantivy_heap, args.tantivy_threads)
    notes.append("tantivy updates: " + json.dumps(updates))
    if not args.no_crash_test:
        notes.extend("tantivy crash: " + line for line in tantivy_crash_tests(tantivy_path))
    return notes
