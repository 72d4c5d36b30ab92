"""Average the weights of readers fine-tuned from one start (a "model soup", Wortsman et al. 2022).

A uniform soup of checkpoints that share their initialisation often scores above each of them at
no cost at reading time: one model, the same size and speed. Newsdesk's CPU continuations of the
shipped reader (`newsdesk train-reader --init qa/models/reader ...`) all start from it, so they
can be averaged with it:

    python training/soup.py qa/models/reader runs/reader-longer/reader runs/reader-antonym/reader \
        --out runs/soup/reader

The soup keeps the first reader's card (name, thresholds, precision) and records its parts under
``soup``; tune its no-answer threshold afterwards with ``training/tune_threshold.py --reader``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from qa.reader_model import DELTA_FILE, base_encoder_path, compose_reader, read_card, save_delta, sha256_of


def soup(readers: list[Path], out: Path) -> Path:
    """Write the uniform average of ``readers`` (Newsdesk reader folders) to ``out``."""
    if len(readers) < 2:
        raise SystemExit("a soup needs at least two readers")
    base = base_encoder_path()
    cards = [read_card(reader) for reader in readers]
    if len({card["base_sha256"] for card in cards}) != 1:
        raise SystemExit("these readers were trained over different base encoders; they cannot be averaged")
    models = [compose_reader(base, reader / DELTA_FILE) for reader in readers]
    states = [model.state_dict() for model in models]
    average = {key: torch.stack([state[key].float() for state in states]).mean(dim=0) for key in states[0]}
    models[0].load_state_dict(average)
    # What describes how to read with it, from the first reader; its scores and training history
    # belong to that reader, not to the soup.
    kept = ("name", "base", "max_length", "stride", "no_answer_threshold", "archive_threshold", "precision")
    card = {key: cards[0][key] for key in kept if key in cards[0]}
    card["soup"] = [str(reader) for reader in readers]
    return save_delta(models[0], out, card, sha256_of(base / "model.safetensors"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readers", nargs="+", type=Path, help="Newsdesk reader folders (reader.json + delta)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the averaged reader")
    args = parser.parse_args()
    print(f"soup of {len(args.readers)} readers written to {soup(args.readers, args.out)}")


if __name__ == "__main__":
    main()
