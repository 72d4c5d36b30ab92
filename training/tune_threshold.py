r"""Tune a trained reader's no-answer threshold without touching an evaluation set.

    python training/tune_threshold.py --squad ../shared/data/squad/train-v1.1.reconstructed.json \
        [--reader DIR] [--write]

The threshold is the one that maximises SQuAD v2.0-style F1 on the questions of the training
file's held-out articles (the last 8, which no Newsdesk reader trains on) plus an unanswerable
version of each question that one of `qa.unanswerable.SETTINGS` applies to, drawn at random among
those (`qa.train.tune_no_answer_threshold`, the tuning `newsdesk train-reader --unanswerable` does
after training). ``--reader`` defaults to the shipped reader; ``--write`` records the threshold
and how it was found in its ``reader.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.reader import Reader
from qa.reader_model import SHIPPED_READER_DIR
from qa.squad import load_squad
from qa.train import TrainingConfig, split_heldout, tune_no_answer_threshold
from qa.unanswerable import SETTINGS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", required=True, help="the SQuAD v1.1 training file the reader was trained on")
    parser.add_argument("--reader", default=str(SHIPPED_READER_DIR), help="reader folder (default: the shipped one)")
    parser.add_argument("--write", action="store_true", help="record the threshold in the reader's reader.json")
    args = parser.parse_args()
    # The held-out articles and the seed of training's defaults, as train-reader tunes it.
    _, heldout = split_heldout(load_squad(args.squad), TrainingConfig.heldout_articles)
    threshold, f1, made = tune_no_answer_threshold(heldout, Reader(args.reader), SETTINGS, TrainingConfig.seed)
    command = " ".join(["python", "training/tune_threshold.py", *sys.argv[1:]])
    note = (
        f"best SQuAD v2.0-style F1 ({f1:.1f}) on the {len(heldout)} held-out training questions of "
        f"{Path(args.squad).name} plus {made} unanswerable versions of them ({', '.join(SETTINGS)}): {command}"
    )
    print(json.dumps({"no_answer_threshold": threshold, "f1": f1, "heldout": len(heldout), "made": made}))
    if args.write:
        card_path = Path(args.reader) / "reader.json"
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["no_answer_threshold"] = threshold
        card["no_answer_threshold_note"] = note
        card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the threshold to {card_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
