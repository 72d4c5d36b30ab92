"""The settings of one reader training run (`qa.train.train_reader`), apart from the training
code so that the command line can show their defaults without loading PyTorch."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@dataclass(frozen=True)
class TrainingConfig:
    squad: str
    base: str
    out_dir: str
    max_length: int = 256
    stride: int = 96
    batch_size: int = 32
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    warmup_steps: int = 100
    epochs: float = 3.0  # the shipped recipe (qa/models/reader/README.md), cut short by max_seconds
    negative_fraction: float = 0.25
    unanswerable: tuple[str, ...] = ()
    unanswerable_fraction: float = 0.0
    questions: int | None = None  # a random sample of this many training questions (None: all)
    init: str | None = None  # a reader folder (reader.json + delta) to continue from
    teachers: tuple[str, ...] = ()  # reader folders whose averaged logits are soft targets
    distill_weight: float = 0.5  # the soft targets' share of the loss when there are teachers
    temperature: float = 2.0
    heldout_articles: int = 8
    heldout_questions: int = 500
    seed: int = 13
    bf16: bool = True
    checkpoint_every: int = 500
    max_seconds: float | None = None
    base_sha256: str | None = None
    device: str = field(default_factory=_default_device)

    def resumable_fields(self) -> dict:
        """The settings a checkpoint must share with the run that resumes it."""
        skip = {"out_dir", "checkpoint_every", "max_seconds", "device", "base_sha256", "heldout_questions"}
        # Through JSON, as the checkpoint stores them (tuples come back as lists).
        return json.loads(json.dumps({key: value for key, value in asdict(self).items() if key not in skip}))
