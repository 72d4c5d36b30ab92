"""Tune a trained reader's no-answer threshold without touching an evaluation set.

    python training/tune_threshold.py SQUAD_TRAIN [READER_DIR] [--write]

The threshold is the one that maximises SQuAD v2.0-style F1 on the questions of the training
file's held-out articles (the last 8, which no Newsdesk reader trains on) plus one unanswerable
version of each, made in one of `qa.unanswerable.SETTINGS` (`qa.train.tune_no_answer_threshold`,
the same tuning `newsdesk train-reader --unanswerable` does after training). READER_DIR defaults to
the shipped reader; ``--write`` records the threshold and how it was found in its ``reader.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qa.reader import Reader
from qa.reader_model import SHIPPED_READER_DIR
from qa.squad import load_squad
from qa.train import TrainingConfig, split_heldout, tune_no_answer_threshold
from qa.unanswerable import SETTINGS


def main(argv: list[str]) -> int:
    write = "--write" in argv
    positional = [a for a in argv if a != "--write"]
    if not positional:
        print(__doc__, file=sys.stderr)
        return 2
    squad = Path(positional[0])
    reader_dir = Path(positional[1]) if len(positional) > 1 else SHIPPED_READER_DIR
    defaults = TrainingConfig(squad=str(squad), base="", out_dir="")
    _, heldout = split_heldout(load_squad(squad), defaults.heldout_articles)
    reader = Reader(str(reader_dir))
    threshold, f1, made = tune_no_answer_threshold(heldout, reader, SETTINGS, defaults.seed)
    note = (
        f"best SQuAD v2.0-style F1 ({f1:.1f}) on the {len(heldout)} held-out training questions of {squad.name} "
        f"plus {made} unanswerable versions of them ({', '.join(SETTINGS)}): "
        f"python training/tune_threshold.py {squad.name} --write"
    )
    print(json.dumps({"no_answer_threshold": threshold, "f1": f1, "heldout": len(heldout), "made": made}))
    if write:
        card_path = reader_dir / "reader.json"
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["no_answer_threshold"] = threshold
        card["no_answer_threshold_note"] = note
        card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the threshold to {card_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
