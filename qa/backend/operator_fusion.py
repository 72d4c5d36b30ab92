"""Fusing a traced transformer into ONNX Runtime's own transformer operators.

``torch.onnx.export`` writes attention as some thirty small nodes per layer (matmuls, reshapes,
transposes, a softmax, the mask arithmetic); ONNX Runtime's offline optimizer rewrites each layer
into one ``Attention``, one ``BiasGelu`` and two ``SkipLayerNormalization`` nodes, which keep the
activations in cache between steps.

Measured with `python bench/reader_fusion.py --rounds 21` (60 SQuAD dev windows, the four models
taking turns) on this project's 2-core AVX-512 VM, median round per window:

    fp32: 20.8 ms traced, 21.7 ms fused        int8: 10.4 ms traced, 10.6 ms fused

and in the slowest round (the VM runs some minutes ~1.5x slower): fp32 29.5 against 24.9 ms,
int8 16.9 against 15.2 ms. Full SQuAD v1.1 dev: fused fp32 EM/F1 74.98/83.93 (the traced model's),
fused int8 74.55/83.46 (traced 74.37/83.48). The fused fp32 model gives the traced one's logits
within 1e-5.

The optimizer only recognises the attention that transformers writes out step by step, so the
model is traced with the "eager" attention (`eager_attention`), not the fused SDPA kernel
PyTorch would otherwise export as one opaque pattern. A fusion is kept only when every layer was
fused and it gives the traced model's logits on a probe window; otherwise the traced model is
used as it is, so a checkpoint the optimizer does not know still runs, unfused.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Hugging Face model types whose encoder layers ONNX Runtime's "bert" fusions recognise.
FUSABLE = {"bert", "roberta", "xlm-roberta", "electra", "camembert"}
# How far the fused model's logits may stray from the traced model's (fp32 differs ~1e-5).
SAME_LOGITS = 1e-3


@contextlib.contextmanager
def eager_attention(network: object) -> Iterator[None]:
    """Within the block, ``network`` (a transformers model) computes attention step by step, the
    form that ONNX Runtime's optimizer fuses; its setting is restored after."""
    configs = [m.config for m in network.modules() if hasattr(m, "config")]  # type: ignore[attr-defined]
    before = [getattr(c, "_attn_implementation", None) for c in configs]
    for config in configs:
        config._attn_implementation = "eager"
    try:
        yield
    finally:
        for config, value in zip(configs, before, strict=True):
            config._attn_implementation = value


def fuse(traced: Path, fused: Path, config: object, input_names: Sequence[str], reference: Path | None = None) -> bool:
    """Write ``traced`` with ONNX Runtime's transformer fusions into ``fused``, and say whether it
    did: False (nothing written) for a model type it does not know, a layer left unfused, or
    logits that differ from those of ``reference`` (None: the traced model itself).

    The optimizer checks the head count against the graph's reshapes (a wrong one fuses no
    layer), so the logits check guards against what it cannot see."""
    model_type = getattr(config, "model_type", "")
    if model_type not in FUSABLE:
        log.info("the reader's ONNX export is left unfused: model type %r has no fusions", model_type)
        return False
    from onnxruntime.transformers import optimizer

    optimized = optimizer.optimize_model(
        str(traced),
        model_type="bert",
        num_heads=int(config.num_attention_heads),  # type: ignore[attr-defined]
        hidden_size=int(config.hidden_size),  # type: ignore[attr-defined]
        opt_level=0,  # the graph fusions only; ONNX Runtime applies its own when it loads the file
    )
    layers = int(config.num_hidden_layers)  # type: ignore[attr-defined]
    attention = optimized.get_fused_operator_statistics().get("Attention", 0)
    if attention != layers:
        log.info("the reader's ONNX export is left unfused: %d of %d attention layers fused", attention, layers)
        return False
    optimized.save_model_to_file(str(fused))
    if not same_logits(reference or traced, fused, input_names):
        fused.unlink()
        log.warning("the reader's ONNX export is left unfused: the fused model's logits differ")
        return False
    return True


def same_logits(first: Path, second: Path, input_names: Sequence[str], width: int = 48) -> bool:
    """Whether two ONNX QA models give the same start and end logits (within `SAME_LOGITS`) on
    one probe window of ``width`` tokens, two segments long."""
    import onnxruntime

    ids = np.random.default_rng(0).integers(1000, 20000, size=(1, width), dtype=np.int64)
    segments = np.zeros_like(ids)
    segments[0, width // 3 :] = 1
    given = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": segments}
    feeds = {name: given[name] for name in input_names}
    outputs = [
        onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)
        for path in (first, second)
    ]
    return all(float(np.abs(a - b).max()) <= SAME_LOGITS for a, b in zip(*outputs, strict=True))
