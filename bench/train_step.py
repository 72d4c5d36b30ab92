"""What each training choice buys on this machine's CPU: seconds per step of reader training.

    python bench/train_step.py

Batch 16 of real SQuAD v1.1 training windows (max 256 tokens), AdamW; 1 warm-up step, then the
median of 4 timed steps, for: fp32 with every window padded to 256; bf16 autocast; bf16 with
dynamic padding (to the longest window in the batch); and bf16, dynamic padding and frozen word
embeddings (the shipped recipe).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import SHARED, table
from qa.reader_model import FROZEN_KEYS, base_encoder_path, qa_model_from_encoder
from qa.squad import load_squad
from qa.train import build_features, collate

TRAIN = SHARED / "data" / "squad" / "train-v1.1.reconstructed.json"
BATCH, STEPS = 16, 4


def seconds_per_step(bf16: bool, dynamic: bool, frozen: bool, features, tokenizer) -> float:
    torch.manual_seed(0)
    model = qa_model_from_encoder(base_encoder_path()).train()
    for name, parameter in model.named_parameters():
        parameter.requires_grad = not (frozen and name in FROZEN_KEYS)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    times = []
    for step in range(STEPS + 1):
        batch = collate(features, range(step * BATCH, (step + 1) * BATCH), tokenizer.sep_token_id)
        if not dynamic:
            for name in ("input_ids", "attention_mask", "token_type_ids"):
                batch[name] = F.pad(batch[name], (0, 256 - batch[name].shape[1]))
        started = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    if not TRAIN.exists():
        sys.exit(f"needs {TRAIN} (the read-only ../shared data)")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_encoder_path())
    examples = load_squad(TRAIN, limit=400)
    features = build_features(examples, tokenizer, 256, 96, 0.25, random.Random(13))
    order = list(range(len(features)))
    random.Random(0).shuffle(order)
    features.input_ids = [features.input_ids[i] for i in order]
    features.start_positions = [features.start_positions[i] for i in order]
    features.end_positions = [features.end_positions[i] for i in order]
    rows = []
    for label, bf16, dynamic, frozen in [
        ("fp32, padded to 256", False, False, False),
        ("bf16, padded to 256", True, False, False),
        ("bf16, dynamic padding", True, True, False),
        ("bf16, dynamic padding, frozen word embeddings", True, True, True),
    ]:
        rows.append([label, seconds_per_step(bf16, dynamic, frozen, features, tokenizer)])
    print(table(["configuration (batch 16)", "s / step"], [[label, f"{s:.2f}"] for label, s in rows]))


if __name__ == "__main__":
    main()
