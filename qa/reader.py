"""The reader: an extractive QA model that finds answer spans in passages.

It reads one question against several passages in one batch. Long passages are cut into
overlapping token windows; each window scores every span of context tokens. A span's score is its
start + end logit minus the window's no-answer logit (the [CLS] position), so scores are comparable
across windows and passages, and ``sigmoid(score)`` is the model's odds of that span against
abstaining. Character offsets come from the fast tokenizer's offset mapping, so every span is an
exact slice of its passage.

Usage (the shipped Newsdesk reader, loaded offline)::

    >>> reader = Reader()
    >>> reading = reader.read("Who won?", ["Kenya's Eliud Kipchoge won the race in Berlin."])
    >>> span = reading.best
    >>> "Kipchoge" in span.text and span.text == reading.passages[0][span.start:span.end]
    True
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from qa.cpu import choose_reader_path, cpu_flags
from qa.errors import UsageError
from qa.schema import Reading, Span
from qa.span_decoding import best_per_passage, complete_names, decode_window, distinct_spans, widen

if TYPE_CHECKING:  # torch and transformers load in warm_up: `newsdesk --help` needs neither
    import torch

    from qa.backend.onnx_reader import OnnxReaderModel
    from qa.reader_model import LoadedReader

Precision = Literal["fp32", "bf16", "int8", "auto"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "bf16", "int8", "auto")
Backend = Literal["auto", "onnx", "torch"]
BACKENDS: tuple[Backend, ...] = ("auto", "onnx", "torch")
log = logging.getLogger(__name__)
_LAST_QUESTION = re.compile(r"(?:^|[.!?;]\s+)([^.!?;]*\?)\s*$")


@dataclass
class Reader:
    """Extractive QA over passages with an `AutoModelForQuestionAnswering` checkpoint.

    ``model`` is None for the shipped Newsdesk reader, or a Hugging Face hub id or local folder.
    ``backend``: "onnx" (ONNX Runtime, the model exported once into the cache: fp32, or int8
    weights per channel), "torch" (PyTorch: fp32, bf16 autocast, or int8 by PyTorch's per-tensor
    dynamic quantisation, which loses 3.1 F1) or "auto" (the default): ONNX Runtime on the CPU
    unless bf16 is asked for, PyTorch on a GPU. ``precision`` "auto" (the default) takes the
    fastest path this CPU runs natively (`qa.cpu.choose_reader_path`); ``precision_reason`` says
    which and why. Should the ONNX export fail (an unusual checkpoint, an unwritable cache), an
    "auto" reader says so in the log and runs on PyTorch.
    ``no_answer_threshold`` (for one question over one passage) defaults to the
    shipped model's value, tuned on held-out SQuAD *training* questions and unanswerable versions
    of them (`training/tune_threshold.py`); ``archive_threshold`` (for the best span over
    several retrieved passages, as Newsdesk reads) to its value calibrated on news questions.
    Other checkpoints default to 0.0 for both.
    """

    model: str | Path | None = None
    precision: Precision | None = "auto"
    max_length: int = 256
    stride: int = 96
    max_answer_tokens: int = 30
    # A question longer than this many word pieces is read by its last ones (where the asking
    # is): an 800-character question once left no room in a 256-token window for the passage.
    max_question_tokens: int = 64
    no_answer_threshold: float | None = None
    archive_threshold: float | None = None
    batch_size: int = 32
    device: str = "cpu"
    backend: Backend = "auto"
    cache_dir: str | Path | None = None  # where the ONNX export is kept (qa.backend.cache)
    precision_reason: str = field(default="", init=False)
    _network: torch.nn.Module | OnnxReaderModel | None = field(default=None, init=False, repr=False)
    _tokenizer: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.precision is not None and self.precision not in PRECISIONS:
            raise UsageError(f"unknown reader precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")
        if self.backend not in BACKENDS:
            raise UsageError(f"unknown reader backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        if self.backend == "onnx" and self.precision == "bf16":
            raise UsageError(
                "ONNX Runtime has no bf16 path on the CPU: use precision='fp32' or 'int8', or backend='torch'"
            )

    @classmethod
    def from_model(cls, network: torch.nn.Module, tokenizer: object, **options: object) -> Reader:
        """A reader over an already loaded model, e.g. one being trained."""
        reader = cls(**options)  # type: ignore[arg-type]
        reader._network, reader._tokenizer = network, tokenizer
        reader.precision = "fp32" if reader.precision in (None, "auto") else reader.precision
        reader.backend = "torch"
        reader.no_answer_threshold = reader.no_answer_threshold or 0.0
        reader.archive_threshold = reader.archive_threshold or reader.no_answer_threshold
        return reader

    def warm_up(self) -> None:
        """Load the model and tokenizer (once); on ONNX Runtime, export the model first if the
        cache holds no export of it."""
        if self._network is not None:
            return
        from qa.reader_model import load_reader_model

        loaded = load_reader_model(self.model)
        self._tokenizer = loaded.tokenizer
        if self.no_answer_threshold is None:
            self.no_answer_threshold = loaded.no_answer_threshold
        if self.archive_threshold is None:
            self.archive_threshold = loaded.archive_threshold
        choice = choose_reader_path(cpu_flags(), loaded.precision, self.precision or "auto", self.backend, self.device)
        self.precision, self.precision_reason = choice.precision, choice.why  # type: ignore[assignment]
        if choice.backend == "onnx":
            self._network = self._onnx_model(loaded)
        if self._network is None:
            self._network = self._torch_model(loaded)

    def _onnx_model(self, loaded: LoadedReader) -> OnnxReaderModel | None:
        """The ONNX Runtime model, exported into the cache on first use; None (PyTorch instead)
        when the export fails and the backend was left to choose."""
        from qa.backend.cache import default_cache_dir
        from qa.backend.onnx_reader import OnnxReaderModel, reader_export, weights_source
        from qa.reader_model import CARD_FILE, SHIPPED_READER_DIR, read_card

        names = ["input_ids", "attention_mask"]
        if getattr(loaded.model.config, "type_vocab_size", 0) > 1:
            names.append("token_type_ids")
        source = SHIPPED_READER_DIR if self.model is None else Path(self.model)
        card = read_card(source) if (source / CARD_FILE).is_file() else None
        try:
            folder = reader_export(
                loaded.model,
                names,
                weights_source(self.model, card),
                loaded.name,
                Path(self.cache_dir or default_cache_dir()),
            )
            network = OnnxReaderModel(folder, str(self.precision))
        except Exception as error:
            if self.backend == "onnx":
                raise
            log.warning("the reader runs on PyTorch fp32: its ONNX export failed (%s)", error)
            self.precision, self.precision_reason = "fp32", f"fp32 (PyTorch): the ONNX export failed ({error})"
            return None
        self.backend = "onnx"
        return network

    def _torch_model(self, loaded: LoadedReader) -> torch.nn.Module:
        import torch

        self.backend = "torch"
        network = loaded.model.eval().to(self.device)
        if self.precision == "int8":
            network = torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
        return network

    def path_reason(self) -> str:
        """The runtime and precision the reader takes and why: as loaded, or before `warm_up`, what
        loading it will choose (from its model card and this CPU, without loading the weights)."""
        if self.precision_reason:
            return self.precision_reason
        from qa.reader_model import preferred_precision  # loads torch: only when the reader is not loaded

        preferred = preferred_precision(self.model)
        return choose_reader_path(cpu_flags(), preferred, self.precision or "auto", self.backend, self.device).why

    @property
    def threshold(self) -> float:
        self.warm_up()
        assert self.no_answer_threshold is not None
        return self.no_answer_threshold

    @property
    def threshold_for_archive(self) -> float:
        self.warm_up()
        assert self.archive_threshold is not None
        return self.archive_threshold

    def read(
        self, question: str, passages: Sequence[str], top_k: int = 3, only: Sequence[int] | None = None
    ) -> Reading:
        """Find the best distinct answer spans for one question across ``passages``, or across
        those at the indices ``only`` (the reading still covers every passage; the others have no
        span), so a question can be read one passage first and the rest only when needed."""
        if only is None:
            return self.read_many([(question, passages)], top_k=top_k)[0]
        part = self.read_many([(question, [passages[i] for i in only])], top_k=top_k)[0]
        return widen(part, list(only), passages)

    def read_many(self, items: Sequence[tuple[str, Sequence[str]]], top_k: int = 3) -> list[Reading]:
        """Read several questions, each against its own passages, batching all windows together."""
        self.warm_up()
        questions: list[str] = []
        contexts: list[str] = []
        owners: list[tuple[int, int]] = []  # (item, passage) of every encoded pair
        for item_index, (question, passages) in enumerate(items):
            if not question.strip():
                raise ValueError("the question is empty")
            for passage_index, passage in enumerate(passages):
                questions.append(question)
                contexts.append(passage)
                owners.append((item_index, passage_index))
        candidates: list[list[Span]] = [[] for _ in items]
        if questions:
            fitted = {question: self._fit_question(question) for question in set(questions)}
            self._score_windows([fitted[q] for q in questions], contexts, owners, candidates)
        return [
            self._reading(question, passages, found, top_k)
            for (question, passages), found in zip(items, candidates, strict=True)
        ]

    def _reading(self, question: str, passages: Sequence[str], found: list[Span], top_k: int) -> Reading:
        found = complete_names(sorted(found, key=lambda s: -s.score), passages)
        return Reading(
            question=question,
            passages=tuple(passages),
            spans=tuple(distinct_spans(found, top_k)),
            threshold=self.threshold,
            per_passage=best_per_passage(found, len(passages)),
        )

    @property
    def question_budget(self) -> int:
        """Word pieces a question may take: at most half a window, so the passage keeps room."""
        return min(self.max_question_tokens, self.max_length // 2)

    def _fit_question(self, question: str) -> str:
        """The question, or when it is longer than `max_question_tokens` word pieces, its asking
        part: the last sentence that ends in a question mark ("…context. Who will he meet?"), else
        the last word pieces that fit."""
        pieces = self._tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
        offsets = pieces["offset_mapping"]
        if len(offsets) <= self.question_budget:
            return question
        asked = _LAST_QUESTION.search(question)
        if asked and len(asked.group(1).split()) >= 3 and len(asked.group(1)) < len(question):
            return self._fit_question(asked.group(1))
        return question[offsets[-self.question_budget][0] :]

    def _score_windows(
        self,
        questions: list[str],
        contexts: list[str],
        owners: list[tuple[int, int]],
        candidates: list[list[Span]],
    ) -> None:
        # The overlap between windows must be shorter than the room the longest question leaves
        # ([CLS] question [SEP] context [SEP]); questions were fitted to at most half a window.
        longest = max(len(ids) for ids in self._tokenizer(list(set(questions)), add_special_tokens=False)["input_ids"])
        room = self.max_length - longest - 3
        encoding = self._tokenizer(
            questions,
            contexts,
            truncation="only_second",
            max_length=self.max_length,
            stride=min(self.stride, room // 2),
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=False,
        )
        windows = len(encoding["input_ids"])
        # Longest windows first keeps padding low inside each batch.
        order = sorted(range(windows), key=lambda w: -len(encoding["input_ids"][w]))
        segments = encoding.get("token_type_ids")
        for begin in range(0, windows, self.batch_size):
            batch = order[begin : begin + self.batch_size]
            start_logits, end_logits = self._forward(
                [encoding["input_ids"][w] for w in batch], [segments[w] for w in batch] if segments else None
            )
            for row, window in enumerate(batch):
                pair = encoding["overflow_to_sample_mapping"][window]
                item_index, passage_index = owners[pair]
                sequence_ids = encoding.sequence_ids(window)
                length = len(sequence_ids)
                candidates[item_index].extend(
                    decode_window(
                        start_logits[row, :length],
                        end_logits[row, :length],
                        sequence_ids,
                        encoding["offset_mapping"][window],
                        contexts[pair],
                        passage_index,
                        self.max_answer_tokens,
                    )
                )

    def _forward(
        self, input_ids: list[list[int]], token_type_ids: list[list[int]] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Start and end logits for a batch of windows, padded to the longest."""
        from qa.backend.onnx_reader import OnnxReaderModel

        if isinstance(self._network, OnnxReaderModel):
            return self._network.logits(input_ids, token_type_ids)
        import torch

        assert self._network is not None
        width = max(len(ids) for ids in input_ids)
        ids = torch.zeros((len(input_ids), width), dtype=torch.long)
        mask = torch.zeros_like(ids)
        token_types = torch.zeros_like(ids)
        for row, sequence in enumerate(input_ids):
            ids[row, : len(sequence)] = torch.tensor(sequence)
            mask[row, : len(sequence)] = 1
            if token_type_ids is not None:
                token_types[row, : len(sequence)] = torch.tensor(token_type_ids[row])
        inputs = {"input_ids": ids, "attention_mask": mask}
        if token_type_ids is not None and getattr(self._network.config, "type_vocab_size", 0) > 1:
            inputs["token_type_ids"] = token_types
        inputs = {name: tensor.to(self.device) for name, tensor in inputs.items()}
        device_type = torch.device(self.device).type
        with (
            torch.inference_mode(),
            torch.autocast(device_type, dtype=torch.bfloat16, enabled=self.precision == "bf16"),
        ):
            output = self._network(**inputs)
        return output.start_logits.float().cpu().numpy(), output.end_logits.float().cpu().numpy()
