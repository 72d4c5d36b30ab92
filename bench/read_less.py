"""Reading less: the best passage alone first, the others only when its answer is not likely
enough (``qa.answers.decision.READ_ON_BELOW``), against reading every passage.

    python bench/read_less.py                  # the seed + 336 news articles
    python bench/read_less.py --corpus all     # all 5,884 articles (build it first: bench/build.py)

For each level it answers every news question (../shared/data/newsqa/dev.jsonl) with 4 passages
retrieved and prints the share answered after one passage, the mean number of passages read,
answer F1 over the answerable questions, citation accuracy, no-answer precision and recall, and
p50/p95 latency. "every" reads all 4 passages, as Newsdesk did before; the issue (#23) allows
0.5 points of difference.
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

EVERY = 2.0  # a level no probability reaches: every passage is read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("news", "all"), default="news")
    parser.add_argument("--levels", type=float, nargs="+", default=[EVERY, 0.95, READ_ON_BELOW, 0.8, 0.7])
    parser.add_argument("--top-k", type=int, default=4)
    args = parser.parse_args()
    articles, index_dir = stage(args.corpus)
    questions = load_news_questions(QUESTIONS)
    reader = Reader()
    reader.warm_up()
    rows = []
    for level in args.levels:
        desk = Newsdesk(
            articles_dir=articles, index_dir=index_dir, reader=reader, follow_links=True, read_on_below=level
        )
        report = evaluate_end_to_end(desk, questions, ks=(), top_k=args.top_k)
        rows.append(
            [
                "every" if level > 1 else f"{level:.2f}" + (" (default)" if level == READ_ON_BELOW else ""),
                report.one_passage_share,
                report.passages_read,
                report.answerable_f1,
                report.citation_accuracy,
                report.no_answer_precision,
                report.no_answer_recall,
                report.latency_p50_ms,
                report.latency_p95_ms,
            ]
        )
    print(
        f"{args.corpus}: {len(questions)} questions, {args.top_k} passages retrieved, reader {reader.precision_reason}"
    )
    headers = ["read on below", "one passage %", "read", "F1", "cite %", "NA prec %", "NA rec %", "p50 ms", "p95 ms"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
