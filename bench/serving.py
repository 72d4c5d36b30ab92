"""Cold start to first answer, and peak memory while serving.

    python bench/serving.py --corpus news
    python bench/serving.py --corpus all

Starts a fresh Python process that imports Newsdesk, opens the (already built) index, loads both
models and answers one question; the parent times it from process start to the printed answer.
The same process then answers all news questions and reports its peak resident set size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import QUESTIONS, ROOT, stage, table

CHILD = """
import resource, sys
from qa import Newsdesk
from qa.evaluate import load_news_questions
desk = Newsdesk(articles_dir=sys.argv[1], index_dir=sys.argv[2], auto_sync=False)
reply = desk.answer("Who will Putin meet during his visit?")
print("ANSWER", reply.text, flush=True)
for question in load_news_questions(sys.argv[3]):
    desk.answer(question.question)
print("PEAK_RSS_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("news", "all"), default="news")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    articles, index_dir = stage(args.corpus)
    if not (index_dir / "CURRENT").exists():
        sys.exit(f"build the index first: python bench/build.py --corpus {args.corpus}")
    rows = []
    for run in range(args.runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(articles), str(index_dir), str(QUESTIONS)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdout is not None
        first_answer = peak = None
        for line in child.stdout:
            if line.startswith("ANSWER") and first_answer is None:
                first_answer = time.perf_counter() - started
            if line.startswith("PEAK_RSS_MB"):
                peak = float(line.split()[1])
        child.wait()
        rows.append([args.corpus, run + 1, first_answer, peak])
    print(table(["corpus", "run", "cold start to first answer s", "peak RSS while serving MB"], rows))


if __name__ == "__main__":
    main()
