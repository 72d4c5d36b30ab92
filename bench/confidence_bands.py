"""How often the answers Newsdesk shows are right, by the confidence shown, on each half of the
news questions (the calibration half chooses `qa.answers.confidence`'s levels; the held-out half
reports them), then per half: wrong answers shown as sure, no-answer precision and recall, F1
over the answerable questions (abstaining scores 0: what #24 sets a target for) and over all.
It prints the level the calibration half chooses for "very likely right" (`choose_sure_level`)
beside the shipped `SURE`.

    python bench/confidence_bands.py     # the seed + the 336 Wikinews articles (../shared)
    python bench/confidence_bands.py --answer-model runs/answer-model/candidate.json

Unanswerable questions that get an answer count as wrong answers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import QUESTIONS, stage
from qa import Newsdesk
from qa.answers.confidence import NOT_SURE_BELOW, SURE, SURE_TARGET, choose_sure_level, shown_as_sure
from qa.evaluate import evaluate_end_to_end, load_news_questions, split_by_article

LEVELS = (0.25, 0.4, NOT_SURE_BELOW, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, SURE)
# Where "very likely right" may start: every hundredth from 0.5.
CANDIDATE_LEVELS = [round(0.5 + i / 100, 2) for i in range(50)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer-model", help="an answer model's JSON file (default: the shipped one)")
    args = parser.parse_args()
    articles, index_dir = stage("news")
    desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True, answer_model=args.answer_model)
    questions = load_news_questions(QUESTIONS)
    print("| half | confidence at least | answers shown | right | share right |")
    print("|---|---|---|---|---|")
    summary = []
    for half in ("calibration", "held-out"):
        report = evaluate_end_to_end(desk, split_by_article(questions, half), ks=())
        shown = [r for r in report.results if r.found]
        for level in LEVELS:
            band = [r for r in shown if r.confidence >= level]
            right = sum(r.candidate_right for r in band)
            print(f"| {half} | {level:.2f} | {len(band)} | {right} | {100 * right / max(1, len(band)):.1f}% |")
        below = [r for r in shown if r.confidence < NOT_SURE_BELOW]
        print(f"| {half} | below {NOT_SURE_BELOW:.2f} | {len(below)} | {sum(r.candidate_right for r in below)} | |")
        if half == "calibration":
            chosen = choose_sure_level([(r.confidence, r.candidate_right) for r in shown], CANDIDATE_LEVELS)
            print(f"| {half} | chooses {chosen} for {SURE_TARGET:.0%} right (shipped: {SURE}) | | | |")
        sure = [r for r in shown if shown_as_sure(r.found, r.confidence, r.contested)]
        wrong = [r for r in sure if not r.candidate_right]
        summary.append(
            f"| {half} | {len(report.results)} | {len(sure)} | {len(wrong)} "
            f"| {100 * (len(sure) - len(wrong)) / max(1, len(sure)):.1f}% "
            f"| {report.no_answer_precision:.1f}% | {report.no_answer_recall:.1f}% "
            f"| {report.answerable_f1:.1f} | {report.f1:.1f} |"
        )
        for r in wrong:
            print(f"  wrong but sure ({half}): {r.question!r} -> {r.answered!r} at {r.confidence:.2f}", file=sys.stderr)
    print()
    print(
        "| half | questions | shown as sure | wrong | sure right | no-answer precision | no-answer recall "
        "| F1, answerable | F1, all |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
