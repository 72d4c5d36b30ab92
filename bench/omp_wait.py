"""OpenMP threads that spin against threads that sleep when done (`qa.cpu.wait_passively`):
warm `Newsdesk.answer` p50 over the news questions, runs taking turns, each in a fresh process.

    python bench/omp_wait.py --corpus all --runs 4                       # the AVX-512 path here
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python bench/omp_wait.py --corpus news \\
        --questions 60 --index runs/peers/newsdesk-index --runs 4       # the AVX2 path (an fp32 index)

"spin" is OpenMP's own default (``OMP_WAIT_POLICY`` unset): the child loads FAISS and PyTorch
before `qa`, so their OpenMP starts before `qa` could ask it to sleep. "sleep" is what importing
`qa` sets (``OMP_WAIT_POLICY=PASSIVE``). This VM's speed drifts between runs by up to ~1.5x, so
compare medians over several runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(args: argparse.Namespace) -> None:
    if args.policy == "spin":
        import faiss  # noqa: F401  (OpenMP starts here, with OMP_WAIT_POLICY unset)
        import torch  # noqa: F401
    sys.path.insert(0, str(ROOT))
    from bench.corpora import QUESTIONS, stage
    from qa import Newsdesk
    from qa.evaluate import evaluate_end_to_end, load_news_questions

    articles, index_dir = stage(args.corpus)
    desk = Newsdesk(articles_dir=articles, index_dir=args.index or index_dir, follow_links=True, auto_sync=False)
    questions = load_news_questions(QUESTIONS)[: args.questions]
    report = evaluate_end_to_end(desk, questions, ks=(), top_k=4)
    print(f"{report.latency_p50_ms:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("news", "all"), default="all")
    parser.add_argument("--index", help="an index folder other than the corpus's own (bench/corpora.stage)")
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--policy", choices=("spin", "sleep"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results: dict[str, list[float]] = {"spin": [], "sleep": []}
    for _ in range(args.runs):
        for policy in results:
            environ = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
            command = [sys.executable, __file__, "--child", "--policy", policy, "--corpus", args.corpus]
            command += ["--index", args.index] if args.index else []
            command += ["--questions", str(args.questions)] if args.questions else []
            done = subprocess.run(command, env=environ, capture_output=True, text=True, check=True)
            results[policy].append(float(done.stdout.split()[-1]))
            print(f"{policy}: p50 {results[policy][-1]:.1f} ms", flush=True)
    for policy, p50s in results.items():
        print(f"{policy}: median p50 {statistics.median(p50s):.1f} ms over {len(p50s)} runs ({p50s})")


if __name__ == "__main__":
    main()
