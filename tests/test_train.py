"""Reader training on a tiny generated SQuAD-format set: it runs, checkpoints, resumes, and ships."""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.reader import Reader
from qa.reader_model import SHIPPED_READER_DIR, base_encoder_path, load_shipped_reader, read_card
from qa.squad import load_squad
from qa.train import (
    TrainingConfig,
    build_features,
    split_heldout,
    train_reader,
    training_examples,
    tune_no_answer_threshold,
)
from tests.conftest import ROOT

PLACES = ["Avalon", "Brightwater", "Cedarfall", "Dunmore", "Eastvale", "Farrow", "Glenhaven", "Harlow"]
PEOPLE = ["Ada Moss", "Ben Hale", "Cora Finch", "Dev Rao", "Eli Stone", "Fay Lund", "Gus Ward", "Hana Oki"]


def tiny_squad(path: Path) -> Path:
    articles = []
    for number, (place, person) in enumerate(zip(PLACES, PEOPLE, strict=True)):
        first = f"{place} is a small town. Its mayor is {person}. The town was founded in {1800 + number * 7}."
        second = f"The river through {place} floods every spring. Farmers in {place} grow barley and rye."
        qas = [
            ("Who is the mayor of " + place + "?", person, first),
            ("When was " + place + " founded?", str(1800 + number * 7), first),
            ("What do farmers in " + place + " grow?", "barley and rye", second),
        ]
        paragraphs = []
        for context in (first, second):
            paragraphs.append(
                {
                    "context": context,
                    "qas": [
                        {
                            "id": f"{place}-{i}",
                            "question": q,
                            "answers": [{"text": a, "answer_start": context.index(a)}],
                        }
                        for i, (q, a, c) in enumerate(qas)
                        if c == context
                    ],
                }
            )
        articles.append({"title": place, "paragraphs": paragraphs})
    path.write_text(json.dumps({"version": "1.1", "data": articles}))
    return path


def config(squad: Path, out: Path, **changes) -> TrainingConfig:
    options = dict(
        squad=str(squad),
        base=str(base_encoder_path()),
        out_dir=str(out),
        max_length=64,
        stride=16,
        batch_size=4,
        epochs=2.0,
        warmup_steps=2,
        checkpoint_every=3,
        heldout_articles=2,
        heldout_questions=6,
        negative_fraction=0.5,
        device="cpu",
    )
    return TrainingConfig(**{**options, **changes})


def test_features_point_at_the_answer_or_at_cls(tmp_path: Path):
    examples = load_squad(tiny_squad(tmp_path / "squad.json"))
    train, heldout = split_heldout(examples, 2)
    assert {e.title for e in heldout} == {"Glenhaven", "Harlow"} and len(train) == 18
    reader = Reader()
    reader.warm_up()
    features = build_features(train, reader._tokenizer, 64, 16, 0.5, random.Random(0))
    assert features.negatives > 0
    for ids, start, end in zip(features.input_ids, features.start_positions, features.end_positions, strict=True):
        if start:
            answer = reader._tokenizer.decode(ids[start : end + 1])
            assert any(answer == e.answers[0].lower() for e in train)


def test_training_checkpoints_resumes_and_ships(tmp_path: Path, caplog):
    squad = tiny_squad(tmp_path / "squad.json")
    out = tmp_path / "run"
    # Kill a first run as soon as it has written a checkpoint...
    script = (
        "import sys, json\nfrom qa.train import TrainingConfig, train_reader\n"
        "train_reader(TrainingConfig(**json.loads(sys.argv[1])))\n"
    )
    settings = config(squad, out).__dict__
    process = subprocess.Popen(
        [sys.executable, "-c", script, json.dumps(settings)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while not (out / "checkpoint" / "state.json").exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    process.kill()
    process.wait()
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["step"] >= 3
    # ...then the same command resumes from it and finishes.
    with caplog.at_level(logging.INFO, logger="qa.train"):
        reader_dir = train_reader(config(squad, out))
    assert any("resumed at step" in record.message for record in caplog.records)
    card = json.loads((reader_dir / "reader.json").read_text())
    assert card["recipe"]["steps_done"] == card["recipe"]["total_steps"]
    assert card["history"] and "heldout_f1" in card["history"][-1]
    loaded = load_shipped_reader(reader_dir)  # the delta composes with the pip base and verifies
    reading = Reader.from_model(loaded.model.eval(), loaded.tokenizer).read(
        "Who is the mayor of Avalon?", ["Avalon is a small town."]
    )
    assert reading.passages[0][reading.best.start : reading.best.end] == reading.best.text


def test_unanswerable_versions_train_towards_cls(tmp_path: Path):
    examples = load_squad(tiny_squad(tmp_path / "squad.json"))
    train, _ = split_heldout(examples, 2)
    settings = config(tmp_path / "squad.json", tmp_path, unanswerable=("sentence-removed",), unanswerable_fraction=1.0)
    chosen = training_examples(settings, train)
    made = [e for e in chosen if e.is_impossible]
    assert len(chosen) == len(train) + len(made) and made
    assert all(e.id.endswith("/sentence-removed") for e in made)
    reader = Reader()
    reader.warm_up()
    features = build_features(made, reader._tokenizer, 64, 16, 0.0, random.Random(0))
    assert len(features) >= len(made) and features.negatives == len(features)


def test_continuing_a_reader_with_unanswerable_questions_tunes_its_threshold_and_resumes(tmp_path: Path, caplog):
    squad = tiny_squad(tmp_path / "squad.json")
    out = tmp_path / "run"
    settings = config(
        squad,
        out,
        epochs=0.5,
        init=str(SHIPPED_READER_DIR),
        unanswerable=("left-out", "sentence-removed", "entity-swapped"),
        unanswerable_fraction=0.5,
    )
    reader_dir = train_reader(settings)
    card = read_card(reader_dir)
    assert card["recipe"]["init"] == str(SHIPPED_READER_DIR)
    assert card["recipe"]["unanswerable"] == ["left-out", "sentence-removed", "entity-swapped"]
    # The threshold was tuned on the held-out questions and unanswerable versions of them.
    assert "held-out training questions plus" in card["no_answer_threshold_note"]
    # It is the sweep's threshold for the trained reader over exactly those questions (the weights
    # are stored in half precision, which moves the scores by ~0.07 at this scale).
    loaded = load_shipped_reader(reader_dir)
    _, heldout = split_heldout(load_squad(squad), settings.heldout_articles)
    trained = Reader.from_model(loaded.model.eval(), loaded.tokenizer)
    expected, _, made = tune_no_answer_threshold(heldout, trained, settings.unanswerable, settings.seed)
    assert card["no_answer_threshold"] == pytest.approx(expected, abs=0.25) and made == len(heldout)
    # Continuing from the shipped reader: after half an epoch at a tiny scale it still reads.
    reading = Reader.from_model(loaded.model.eval(), loaded.tokenizer).read(
        "Who is the mayor of Harlow?", ["Harlow is a small town. Its mayor is Hana Oki."]
    )
    assert reading.best.text == "Hana Oki"
    # The same settings (a tuple, stored as a JSON list) resume rather than being refused.
    with caplog.at_level(logging.INFO, logger="qa.train"):
        train_reader(settings)
    assert any("resumed at step" in record.message for record in caplog.records)


def test_distilling_from_teachers_changes_training_by_the_weight_given(tmp_path: Path):
    squad = tiny_squad(tmp_path / "squad.json")
    # The student starts from the shipped reader and learns from it as its teacher. With the soft
    # targets' weight at 0 the run is the gold-only run to the last digit (teachers in eval mode
    # draw no random numbers); at 1 its loss is the distillation loss alone, which dropout keeps
    # away from zero and which differs from the span loss (distillation_loss's doctest checks its
    # value). If the teachers were ignored, all three runs would be the same.
    common = dict(epochs=0.5, init=str(SHIPPED_READER_DIR), heldout_articles=0, checkpoint_every=100)
    teacher = (str(SHIPPED_READER_DIR),)
    alone = read_card(train_reader(config(squad, tmp_path / "alone", **common)))
    weightless = read_card(train_reader(config(squad, tmp_path / "w0", teachers=teacher, distill_weight=0.0, **common)))
    taught = read_card(train_reader(config(squad, tmp_path / "w1", teachers=teacher, distill_weight=1.0, **common)))
    assert taught["recipe"]["teachers"] == [str(SHIPPED_READER_DIR)] and alone["recipe"]["teachers"] == []
    assert weightless["history"][-1]["loss"] == alone["history"][-1]["loss"]
    assert abs(taught["history"][-1]["loss"] - alone["history"][-1]["loss"]) > 0.05


def test_the_command_lines_training_defaults_are_the_configs():
    # One source for the recipe: `newsdesk train-reader` once said 3 epochs where the config said 1.
    from qa.cli import build_parser
    from qa.training_config import TrainingConfig

    args = build_parser().parse_args(["train-reader", "--squad", "x.json"])
    shown = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "max_length": args.max_length,
        "stride": args.stride,
        "negative_fraction": args.negative_fraction,
        "distill_weight": args.distill_weight,
        "temperature": args.temperature,
        "warmup_steps": args.warmup_steps,
        "checkpoint_every": args.checkpoint_every,
        "seed": args.seed,
    }
    assert shown == {name: getattr(TrainingConfig, name) for name in shown}
    assert TrainingConfig.epochs == 3.0  # the shipped reader's recipe (qa/models/reader/README.md)
