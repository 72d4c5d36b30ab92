"""Train one reader variant on a GPU, then score it on SQuAD dev v1.1 and v2.0 exactly as shipped
(the float16 delta composed with the base).

    python training/gpu_train.py NAME EPOCHS LR BATCH NEGATIVE_FRACTION SECONDS DATA_DIR OUT_DIR [UNANSWERABLE]

Environment: SEED (default 13) seeds the run; TEACHERS (reader folders, space-separated) turns on
self-distillation from their averaged logits (`qa.train.distillation_loss`; DISTILL_WEIGHT, default
0.5, and TEMPERATURE, default 2). `training/run_distill_on_gpu.sh` uses both.

UNANSWERABLE (default 0) is the share of questions also asked in an unanswerable version
(`qa.unanswerable`: left-out, sentence-removed, entity-swapped, antonym-swapped; one each); with it, the reader's
no-answer threshold is tuned on held-out training questions and reported on v2.0 dev as ``tuned``.

The shipped reader is variant A of `bash training/run_on_gpu.sh 270` (see its model card).
"""

import json
import logging
import os
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer

from qa.reader import Reader
from qa.reader_model import qa_model_from_encoder
from qa.squad import best_no_answer_threshold, load_squad, score_predictions
from qa.train import TrainingConfig, train_reader
from qa.unanswerable import SETTINGS

DEV = "cuda" if torch.cuda.is_available() else "cpu"
name, epochs, lr, batch, neg, seconds, data, out = sys.argv[1:9]
unanswerable = float(sys.argv[9]) if len(sys.argv) > 9 else 0.0
logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {name} %(message)s")
base = Path(data) / "base"
cfg = TrainingConfig(
    squad=f"{data}/train-v1.1.reconstructed.json",
    base=str(base),
    out_dir=f"/tmp/runs/{name}",
    epochs=float(epochs),
    learning_rate=float(lr),
    batch_size=int(batch),
    negative_fraction=float(neg),
    unanswerable=SETTINGS if unanswerable else (),
    unanswerable_fraction=unanswerable,
    max_seconds=float(seconds),
    checkpoint_every=1500,
    base_sha256=(Path(data) / "base_sha256").read_text().strip(),
    seed=int(os.environ.get("SEED", "13")),
    teachers=tuple(os.environ.get("TEACHERS", "").split()),
    distill_weight=float(os.environ.get("DISTILL_WEIGHT", "0.5")),
    temperature=float(os.environ.get("TEMPERATURE", "2.0")),
)
reader_dir = train_reader(cfg)
model = qa_model_from_encoder(base)
model.load_state_dict(
    {k: v.float() for k, v in load_file(str(reader_dir / "reader.safetensors")).items()}, strict=False
)
model = model.eval().to(DEV)
tok = AutoTokenizer.from_pretrained(base)
reader = Reader.from_model(model, tok, device=DEV, batch_size=128)
results = {}
for split in ("dev-v1.1.json", "dev-v2.0.reconstructed.json"):
    t = time.time()
    examples = load_squad(f"{data}/{split}")
    texts, scores = {}, {}
    for i in range(0, len(examples), 256):
        chunk = examples[i : i + 256]
        for e, r in zip(chunk, reader.read_many([(e.question, [e.context]) for e in chunk], top_k=1), strict=True):
            texts[e.id] = r.best.text if r.best else ""
            scores[e.id] = r.best.score if r.best else -1e9
    forced = score_predictions(examples, texts)
    res = {"forced_exact": forced.exact, "forced_f1": forced.f1, "seconds": time.time() - t}
    if any(e.is_impossible for e in examples):
        thr, best_f1 = best_no_answer_threshold(examples, texts, scores)
        s = score_predictions(examples, {k: (v if scores[k] >= thr else "") for k, v in texts.items()})
        res.update(
            threshold=thr, best_f1=best_f1, exact=s.exact, f1=s.f1, has_f1=s.has_answer_f1, noans=s.no_answer_exact
        )
        tuned = json.loads((reader_dir / "reader.json").read_text())["no_answer_threshold"]
        s = score_predictions(examples, {k: (v if scores[k] >= tuned else "") for k, v in texts.items()})
        res["tuned"] = [tuned, round(s.f1, 2), round(s.has_answer_f1, 2), round(s.no_answer_exact, 2)]
        for t0 in (0.0, 1.0, 2.0, 3.0):
            s0 = score_predictions(examples, {k: (v if scores[k] >= t0 else "") for k, v in texts.items()})
            res[f"at_{t0}"] = [round(s0.f1, 2), round(s0.has_answer_f1, 2), round(s0.no_answer_exact, 2)]
    results[split] = res
    logging.info("%s %s", split, json.dumps(res))
card = json.loads((reader_dir / "reader.json").read_text())
card["gpu_eval"] = results
(reader_dir / "reader.json").write_text(json.dumps(card, indent=2))
