"""The reader on ONNX Runtime: exported once from the PyTorch model, then run without PyTorch.

Two files per export: ``reader.onnx`` (fp32, the same spans as PyTorch fp32) and
``reader.int8.onnx`` (dynamic quantisation, int8 weights per output channel, uint8 activations),
made from the first when int8 is first asked for (`qa.backend.quantize`).
Per-channel scales keep the int8 reader close to fp32 where PyTorch's per-tensor dynamic int8 lost
3.1 F1 on SQuAD (README, "Speed on every CPU").

Why ONNX Runtime on the CPU: on a 2-core AVX2 server it took 0.80 CPU-seconds a question against
PyTorch fp32's 1.17 (issue #23), and with VNNI its int8 path read 4 news passages in 59 ms p50
against 89 ms for PyTorch bf16 and 123 ms for fp32 (this project's AVX-512 machine).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.backend.cache import cached_export, export_key, file_stamps
from qa.backend.quantize import model_file
from qa.cpu import usable_cores

FILES = {"fp32": "reader.onnx", "int8": "reader.int8.onnx"}
CARD = "reader-onnx.json"
# Bump when the export below changes, so that cached exports are redone.
RECIPE = 1

log = logging.getLogger(__name__)


def reader_export(network: object, input_names: Sequence[str], source: object, name: str, cache_dir: Path) -> Path:
    """The folder holding the ONNX export of the QA model ``network`` (fp32; int8 is quantised
    from it when first asked for), made on first use. ``source`` identifies its weights (the
    model card's digests, or file stamps), so a new reader gets a new export."""
    folder = cache_dir / "readers" / export_key(name, [source, RECIPE, list(input_names)])
    if not (folder / CARD).is_file():
        log.info("exporting the reader %s to ONNX (once, a few seconds) into %s", name, folder)
    return cached_export(
        folder,
        CARD,
        lambda staging: _export(network, list(input_names), staging),
        "the ONNX reader",
        "use Reader(backend='torch')",
    )


def weights_source(model: str | Path | None, card: dict | None) -> object:
    """What identifies a reader's weights: its card's digests, or a folder's file stamps, or the
    hub id."""
    if card is not None and "delta_sha256" in card:
        return [card["delta_sha256"], card.get("base_sha256")]
    return file_stamps(str(model)) if model is not None and Path(model).is_dir() else str(model)


def _export(network: object, names: list[str], folder: Path) -> None:
    import torch

    class Logits(torch.nn.Module):
        """The QA model with positional inputs and two outputs, as ONNX wants it."""

        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            output = self.network(**dict(zip(names, inputs, strict=True)))
            return output.start_logits, output.end_logits

    example = tuple(torch.ones((1, 8), dtype=torch.long) for _ in names)
    axes = {"batch": 0, "tokens": 1}
    dynamic = {n: {i: a for a, i in axes.items()} for n in [*names, "start_logits", "end_logits"]}
    plain = folder / FILES["fp32"]
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Logits().eval(),
            example,
            str(plain),
            input_names=names,
            output_names=["start_logits", "end_logits"],
            dynamic_axes=dynamic,
            opset_version=17,
            dynamo=False,
        )
    card = {"inputs": names, "recipe": RECIPE, "files": FILES}
    (folder / CARD).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")


class OnnxReaderModel:
    """Start and end logits for padded batches of windows, from one export at one precision.

    ``threads``: ONNX Runtime's intra-op threads; one question's few windows are one batch, so
    all cores work on it (None: every core this process may use)."""

    def __init__(self, folder: Path, precision: str, threads: int | None = None) -> None:
        import onnxruntime

        card = json.loads((folder / CARD).read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or usable_cores()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        path = model_file(folder, FILES, precision, "the ONNX reader", "use Reader(backend='torch')")
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs: list[str] = card["inputs"]

    def logits(
        self, input_ids: list[list[int]], token_type_ids: list[list[int]] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) logits, one row per window, padded with zeros to the longest window.

        One window per run: int8 activations are quantised with one scale per run, so a batch
        would make a window's scores depend on the windows read beside it (up to 0.9 of a
        20-point score, seen when a question's passages were read one, then three). Unpadded runs
        took the same time as batches on the news questions."""
        width = max(len(ids) for ids in input_ids)
        start = np.zeros((len(input_ids), width), dtype=np.float32)
        end = np.zeros_like(start)
        for row, sequence in enumerate(input_ids):
            segments = token_type_ids[row] if token_type_ids is not None else [0] * len(sequence)
            given = {"input_ids": sequence, "attention_mask": [1] * len(sequence), "token_type_ids": segments}
            feeds = {name: np.asarray([given[name]], dtype=np.int64) for name in self.inputs}
            first, last = self.session.run(None, feeds)
            start[row, : len(sequence)], end[row, : len(sequence)] = first[0], last[0]
        return start, end
