"""Index builds on Ray against the single-process build (#10): chunks/s and the cost of Ray.

    python bench/ray_scaling.py                       # seed + 336 news articles, 1 and 2 workers
    python bench/ray_scaling.py --workers 1 2 4 8 16  # on a machine with the cores for it
    python bench/ray_scaling.py --synthetic 20000     # a synthetic archive (bench/synthetic/)

Each configuration builds a fresh index of the same archive with the real int8 embedder. Ray runs
as one local cluster (`ray.init`, this machine's cores) started once before the Ray builds, so its
start-up is reported apart; each Ray build still pays for starting its actors (each loads the
model). Reported: wall time and chunks/s of the whole build, and the steady rate from the first
committed batch to the end (actors warm). Results go to runs/bench/ray_scaling.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import RUNS, stage, table
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index import RayOptions, SyncProgress, sync_index

OUT = RUNS / "ray_scaling"
BATCH_CHUNKS = 256  # commits often enough to time the steady rate


def build(articles: Path, embedder: Embedder, ray: RayOptions | None) -> dict[str, float]:
    index_dir = OUT / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    first: list[tuple[float, int]] = []

    def seen(state: SyncProgress) -> None:
        if state.articles_done and not first:
            first.append((time.perf_counter(), state.chunks_done))

    started = time.perf_counter()
    report = sync_index(
        articles,
        index_dir,
        Chunker(),
        embedder,
        ray=ray,
        follow_links=True,
        on_progress=seen,
        batch_chunks=BATCH_CHUNKS,
    )
    wall = time.perf_counter() - started
    at, done = first[0] if first else (started, 0)
    steady = (report.chunks_embedded - done) / (time.perf_counter() - started - (at - started))
    return {
        "chunks": report.chunks_embedded,
        "wall_s": wall,
        "chunks_per_s": report.chunks_embedded / wall,
        "steady_chunks_per_s": steady,
        "first_commit_s": at - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--synthetic", type=int, metavar="ARTICLES", help="a synthetic archive instead of the news")
    args = parser.parse_args()
    if args.synthetic:
        from bench.synthetic import write_archive

        articles = OUT / f"synthetic-{args.synthetic}"
        if not (articles / ".complete").exists():
            shutil.rmtree(articles, ignore_errors=True)
            write_archive(articles, args.synthetic)
            (articles / ".complete").write_text("")
    else:
        articles, _ = stage("news")
    OUT.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    rows: list[dict[str, object]] = []
    for threads in sorted({1, cores}):
        result = build(articles, Embedder(workers=threads), None)
        rows.append({"run": f"single process, {threads} thread(s)", "workers": 0, **result})
        print(rows[-1], file=sys.stderr)

    import ray

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    started = time.perf_counter()
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray_start = time.perf_counter() - started
    for workers in args.workers:
        if workers > cores:
            print(f"skipping {workers} workers: {cores} cores here", file=sys.stderr)
            continue
        result = build(articles, Embedder(), RayOptions("local", workers=workers))
        rows.append({"run": f"Ray, {workers} worker(s) x 1 CPU", "workers": workers, **result})
        print(rows[-1], file=sys.stderr)
    ray.shutdown()

    base = next((r for r in rows if r["workers"] == 1), None)
    single = max((r for r in rows if r["workers"] == 0), key=lambda r: float(r["chunks_per_s"]))  # type: ignore[arg-type]
    for row in rows:
        if row["workers"] and base:
            row["speedup_vs_1_worker"] = float(row["steady_chunks_per_s"]) / float(base["steady_chunks_per_s"])  # type: ignore[arg-type]
            row["efficiency_per_worker"] = row["speedup_vs_1_worker"] / int(row["workers"])  # type: ignore[operator]
        row["vs_best_single_process"] = float(row["chunks_per_s"]) / float(single["chunks_per_s"])  # type: ignore[arg-type]
    result = {"articles": str(articles), "cores": cores, "ray_start_s": ray_start, "rows": rows}
    (OUT / "result.json").write_text(json.dumps(result, indent=1))
    print(f"\n{rows[0]['chunks']:,} chunks; {cores} cores; Ray's local start-up {ray_start:.1f} s (not in the rows)\n")
    print(
        table(
            [
                "run",
                "wall",
                "chunks/s",
                "steady chunks/s",
                "first commit",
                "speed-up vs 1 worker (steady)",
                "efficiency / worker",
                "vs best single process",
            ],
            [
                [
                    r["run"],
                    f"{r['wall_s']:.1f} s",
                    f"{r['chunks_per_s']:.0f}",
                    f"{r['steady_chunks_per_s']:.0f}",
                    f"{r['first_commit_s']:.1f} s",
                    f"{r['speedup_vs_1_worker']:.2f}x" if "speedup_vs_1_worker" in r else "",
                    f"{r['efficiency_per_worker']:.0%}" if "efficiency_per_worker" in r else "",
                    f"{r['vs_best_single_process']:.2f}x",
                ]
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
