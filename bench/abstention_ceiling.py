"""How far can an answer-or-abstain model go with the shipped reader? The ceiling on the news
questions written to be unanswerable.

    python bench/abstention_ceiling.py [--corpus news]

Asks the 192 news questions over the corpus as Newsdesk does (its 4 passages, every candidate
answer with the features of `qa.answers.features`) and takes each question's best-scored
candidate. Reports, for each feature, the AUC with which it tells answerable questions from
unanswerable ones; the best no-answer recall that keeps no-answer precision >= 85% when the
reader's score is thresholded at the best value *for these very questions*; and the same for
logistic regressions over combinations of features, each question scored by a model fitted on
the others (leave-one-out; the features are standardised and the threshold chosen on all of them,
so these are optimistic ceilings too). Measured 2026-12-03 over the news corpus: AUC of the score
0.929; ceiling 37.5% recall at 90.0% precision; no combination did better (score alone,
leave-one-out: 33.3%; score and margin 37.5%; all twelve 4.2%). Over 5 passages, as this bench read
until then, the ceiling was 58.3% at 87.5%. The target of #11 (80% at 85%) is out of reach without
a reader trained to abstain.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.corpora import QUESTIONS, stage, table
from qa import Newsdesk
from qa.answer_training.examples import ExampleMaker, Question
from qa.answers import FEATURES
from qa.evaluate import load_news_questions

PRECISION = 0.85
COMBINATIONS = (
    ("score",),
    ("score", "margin"),
    ("score", "sentence_coverage"),
    ("score", "support"),
    ("score", "margin", "sentence_coverage"),
    ("score", "margin", "sentence_coverage", "kind_match", "passage_coverage"),
    FEATURES,
)


def best_recall(abstain_score: np.ndarray, answerable: np.ndarray) -> tuple[float, float]:
    """The highest no-answer recall, with its precision, over every threshold at which no-answer
    precision stays >= `PRECISION` (abstaining below the threshold); (0, 0) when none does.

    >>> best_recall(np.array([0.1, 0.2, 0.9, 0.8]), np.array([False, False, True, True]))
    (1.0, 1.0)
    """
    best = (0.0, 0.0)
    for threshold in np.unique(abstain_score):
        abstained = abstain_score <= threshold
        precision = float((~answerable[abstained]).mean())
        recall = float((~answerable & abstained).sum() / (~answerable).sum())
        if precision >= PRECISION and recall > best[0]:
            best = (recall, precision)
    return best


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import LeaveOneOut, cross_val_predict

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="news", choices=["news", "all"])
    args = parser.parse_args()
    articles, index_dir = stage(args.corpus)
    desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True)
    desk.sync()
    maker = ExampleMaker(desk)
    rows, answerable, right = [], [], []
    for q in load_news_questions(QUESTIONS):
        asked = Question(q.id, q.question, q.answers if q.answerable else (), q.article_id)
        made = [e for e in maker.examples(asked, ["asked"], {}) if e.rank == 0]
        if made:
            rows.append([made[0].features[name] for name in FEATURES])
            answerable.append(q.answerable)
            right.append(made[0].right)
    matrix, labels = np.array(rows), np.array(answerable)
    print(f"{len(labels)} questions with a candidate, {int((~labels).sum())} unanswerable")
    supported = matrix[:, FEATURES.index("support")] > 0
    print(
        f"corroboration: {int(supported.sum())} best candidates are supported by another article, "
        f"{int(np.array(right)[supported].sum())} of them right\n"
    )
    aucs = [[name, f"{roc_auc_score(labels, matrix[:, i]):.3f}"] for i, name in enumerate(FEATURES)]
    print(table(["feature", "AUC answerable vs not"], aucs))
    recall, precision = best_recall(matrix[:, FEATURES.index("score")], labels)
    print(f"\nscore, threshold chosen on these questions: no-answer recall {recall:.1%} at precision {precision:.1%}\n")
    results = []
    for names in COMBINATIONS:
        columns = [FEATURES.index(n) for n in names]
        x = matrix[:, columns]
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
        fitted = LogisticRegression(max_iter=2000)
        probability = cross_val_predict(fitted, x, labels, cv=LeaveOneOut(), method="predict_proba")[:, 1]
        recall, precision = best_recall(probability, labels)
        label = "all twelve" if names == FEATURES else ", ".join(names)
        results.append([label, f"{roc_auc_score(labels, probability):.3f}", f"{recall:.1%}", f"{precision:.1%}"])
    print(table(["features (leave-one-out)", "AUC", "best no-answer recall", "at precision"], results))


if __name__ == "__main__":
    main()
