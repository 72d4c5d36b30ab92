"""Warm question latency, side by side: retrieval modes (hybrid, dense, BM25) and the reader's
paths (runtime:precision, e.g. onnx:int8, onnx:fp32, torch:bf16, torch:fp32, or auto), over the
news questions.

    python bench/latency.py --corpus news   # the seed + 336 articles
    python bench/latency.py --corpus all    # all 5,884 articles (build it first: bench/build.py)
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python bench/latency.py ...  # as on an AVX2-only CPU

Each configuration answers every question of ../shared/data/newsqa/dev.jsonl once after one
warm-up question; the table gives the median and 95th percentile of `Newsdesk.answer` time and,
for reference, answer F1 and no-answer recall on the same questions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import QUESTIONS, stage, table
from qa import Newsdesk
from qa.answers.decision import READ_ON_BELOW
from qa.evaluate import evaluate_end_to_end, load_news_questions
from qa.reader import Reader


def measure(desk: Newsdesk, questions: list, top_k: int) -> tuple[float, float, float, float, float, float]:
    """(passages read on average, p50 ms, p95 ms, answer F1 %, citation accuracy %, no-answer
    recall %) over the questions, after one warm-up."""
    report = evaluate_end_to_end(desk, questions, ks=(), top_k=top_k)
    return (
        report.passages_read,
        report.latency_p50_ms,
        report.latency_p95_ms,
        report.f1,
        report.citation_accuracy,
        report.no_answer_recall,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("news", "all"), default="news")
    parser.add_argument("--modes", nargs="+", default=["hybrid", "dense", "bm25"])
    parser.add_argument("--top-k", type=int, nargs="+", default=[4], help="passages retrieved per question")
    parser.add_argument(
        "--readers",
        nargs="+",
        default=["torch:fp32", "auto"],
        help="reader paths, runtime:precision (onnx:fp32, onnx:int8, torch:fp32, torch:bf16, torch:int8); "
        "'auto' is the default, chosen for this CPU (qa/cpu.py)",
    )
    parser.add_argument(
        "--read-on-below",
        type=float,
        default=READ_ON_BELOW,
        help="read the other passages when the first's answer is less likely than this (above 1: always)",
    )
    args = parser.parse_args()
    articles, index_dir = stage(args.corpus)
    questions = load_news_questions(QUESTIONS)
    rows = []
    for spec in args.readers:
        backend, _, precision = spec.rpartition(":") if ":" in spec else ("auto", "", spec)
        reader = Reader(precision=precision, backend=backend)  # type: ignore[arg-type]
        reader.warm_up()
        label = f"{reader.backend}:{reader.precision}{' (auto)' if spec == 'auto' else ''}"
        for mode in args.modes:
            desk = Newsdesk(
                articles_dir=articles,
                index_dir=index_dir,
                reader=reader,
                retrieval=mode,
                follow_links=True,
                read_on_below=args.read_on_below,
            )
            for top_k in args.top_k:
                rows.append(
                    [args.corpus, desk.index.article_count, mode, top_k, label, *measure(desk, questions, top_k)]
                )
    headers = [
        "corpus",
        "articles",
        "retrieval",
        "passages retrieved",
        "reader",
        "read (mean)",
        "p50 ms",
        "p95 ms",
        "answer F1",
        "cite %",
        "no-answer recall %",
    ]
    from qa.cpu import cpu_flags

    wide = sorted(f for f in cpu_flags() if f.startswith(("avx512_bf16", "avx512_vnni", "amx", "avx_vnni")))
    print(f"CPU: {', '.join(wide) or 'no bf16 or VNNI instructions (AVX2 path)'}")
    print(table(headers, rows))


if __name__ == "__main__":
    main()
