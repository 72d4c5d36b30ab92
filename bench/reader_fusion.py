"""The reader's ONNX export traced as it is against fused into ONNX Runtime's transformer
operators (qa/backend/operator_fusion.py): time per window at fp32 and int8, and how far the logits move.

    python bench/reader_fusion.py
    python bench/reader_fusion.py --rounds 11 --windows 60

Both exports are made afresh into a temporary folder with the code Newsdesk uses. The windows are
SQuAD v1.1 dev questions with their contexts, cut to the reader's 256 tokens. The four models
take turns, one round each over the windows, so that a machine whose speed drifts (this
project's VM runs some minutes ~1.5x slower than others) slows them all alike; the table gives
each one's median round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.corpora import SHARED, table
from qa.backend.onnx_reader import FILES, OnnxReaderModel, _export
from qa.reader_model import load_shipped_reader
from qa.squad import load_squad

DEV = SHARED / "data" / "squad" / "dev-v1.1.json"
NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def windows(count: int) -> list[tuple[list[int], list[int]]]:
    """(input ids, token types) of the first ``count`` SQuAD dev questions with their contexts."""
    tokenizer = load_shipped_reader().tokenizer
    examples = load_squad(DEV)[:count]
    encoded = tokenizer(
        [e.question for e in examples], [e.context for e in examples], truncation="only_second", max_length=256
    )
    return list(zip(encoded["input_ids"], encoded["token_type_ids"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--windows", type=int, default=60)
    args = parser.parse_args()
    if not DEV.exists():
        sys.exit(f"needs {DEV} (the read-only ../shared data)")
    network = load_shipped_reader().model.eval()
    work = windows(args.windows)
    with tempfile.TemporaryDirectory() as scratch:
        models = {}
        for fused in (False, True):
            folder = Path(scratch) / ("fused" if fused else "traced")
            folder.mkdir()
            _export(network, NAMES, folder, fused=fused)
            for precision in FILES:
                models[("fused" if fused else "traced", precision)] = OnnxReaderModel(folder, precision)
        rounds: dict[tuple[str, str], list[float]] = {key: [] for key in models}
        for _ in range(args.rounds):
            for key, model in models.items():
                started = time.perf_counter()
                for ids, types in work:
                    model.logits([ids], [types])
                rounds[key].append((time.perf_counter() - started) / len(work) * 1000)
        rows = []
        for key, model in models.items():
            reference = models[("traced", "fp32")]
            moved = max(
                float(np.abs(model.logits([ids], [types])[0] - reference.logits([ids], [types])[0]).max())
                for ids, types in work
            )
            rows.append([*key, statistics.median(rounds[key]), min(rounds[key]), max(rounds[key]), f"{moved:.1e}"])
    print(f"{len(work)} SQuAD dev windows (up to 256 tokens), {args.rounds} rounds, models taking turns")
    print(
        table(
            [
                "export",
                "precision",
                "ms per window (median round)",
                "fastest",
                "slowest",
                "max |start logit - traced fp32|",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
