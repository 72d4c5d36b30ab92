"""Reader latency and accuracy per CPU precision: fp32, bf16 (autocast) and int8 (dynamic).

    python bench/reader.py

Latency: one question over 3 passages of up to 256 tokens each (SQuAD v1.1 dev contexts: the
question's own and the next two, cut to 256 tokens), 200 questions after 5 warm-ups. Accuracy: EM
and F1 on the first 1,000 SQuAD v1.1 dev questions, to check that a fast path stays within 0.5 F1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transformers import AutoTokenizer

from bench.corpora import SHARED, table
from qa.evaluate import evaluate_reader, percentile
from qa.reader import Reader
from qa.reader_model import base_encoder_path
from qa.squad import load_squad

DEV = SHARED / "data" / "squad" / "dev-v1.1.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--accuracy-questions", type=int, default=1000)
    args = parser.parse_args()
    if not DEV.exists():
        sys.exit(f"needs {DEV} (the read-only ../shared data)")
    examples = load_squad(DEV)
    contexts = list(dict.fromkeys(e.context for e in examples))
    # The same tokenizer serves every precision, so the passages are cut once.
    tokenizer = AutoTokenizer.from_pretrained(str(base_encoder_path()))

    def cut(text: str) -> str:
        offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        return text if len(offsets) <= 256 else text[: offsets[255][1]]

    items = []
    for example in examples[: args.questions + 5]:
        first = contexts.index(example.context)
        items.append((example.question, [cut(c) for c in contexts[first : first + 3]]))
    rows = []
    for precision in ("fp32", "bf16", "int8"):
        reader = Reader(precision=precision)
        reader.warm_up()
        for question, passages in items[:5]:
            reader.read(question, passages)
        times = []
        for question, passages in items[5:]:
            started = time.perf_counter()
            reader.read(question, passages)
            times.append(time.perf_counter() - started)
        accuracy = evaluate_reader(reader, DEV, limit=args.accuracy_questions)
        rows.append(
            [precision, 1000 * percentile(times, 0.5), 1000 * percentile(times, 0.95), accuracy.exact, accuracy.f1]
        )
    print(
        table(
            [
                "precision",
                "p50 ms (3 x 256 tokens)",
                "p95 ms",
                f"EM@{args.accuracy_questions}",
                f"F1@{args.accuracy_questions}",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
