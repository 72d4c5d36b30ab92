"""The reader's ONNX export is fused into ONNX Runtime's transformer operators, and only where the
fused model gives the traced model's logits (qa/backend/operator_fusion.py)."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import onnx
import pytest
import torch

from qa.backend.onnx_reader import trace
from qa.backend.operator_fusion import eager_attention, fuse, same_logits
from qa.reader import Reader
from qa.reader_model import load_shipped_reader

NAMES = ["input_ids", "attention_mask", "token_type_ids"]


@pytest.fixture(scope="module")
def network():
    return load_shipped_reader().model.eval()


@pytest.fixture(scope="module")
def traced(network, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("traced") / "traced.onnx"
    trace(network, NAMES, path)
    return path


def operators(path: Path) -> Counter:
    return Counter(node.op_type for node in onnx.load(str(path)).graph.node)


def test_the_shipped_reader_is_exported_fused_at_both_precisions(tmp_path: Path):
    reader = Reader(precision="int8", backend="onnx", cache_dir=tmp_path)
    reader.warm_up()
    (folder,) = (tmp_path / "readers").iterdir()
    assert json.loads((folder / "reader-onnx.json").read_text())["fused"] is True
    assert not (folder / "traced.onnx").exists()
    fp32, int8 = operators(folder / "reader.onnx"), operators(folder / "reader.int8.onnx")
    assert fp32["Attention"] == 6 and fp32["Softmax"] == 0  # one node per layer, none left apart
    assert int8["QAttention"] == 6 and int8["MatMulInteger"] > 0
    assert reader.read("Who is the mayor?", ["The mayor, Anna Berg, opened the tram line."]).best.text == "Anna Berg"


def test_a_fusion_is_kept_only_when_every_layer_fused_with_the_same_logits(network, traced, tmp_path: Path):
    fused = tmp_path / "fused.onnx"
    assert fuse(traced, fused, network.config, NAMES)
    assert operators(fused)["Attention"] == 6 and same_logits(traced, fused, NAMES)

    wrong_heads = copy.deepcopy(network.config)
    wrong_heads.num_attention_heads = 4  # the optimizer sees the reshapes disagree and fuses no layer
    assert not fuse(traced, tmp_path / "wrong.onnx", wrong_heads, NAMES)
    assert not (tmp_path / "wrong.onnx").exists()

    unknown = copy.deepcopy(network.config)
    unknown.model_type = "mystery"
    assert not fuse(traced, tmp_path / "unknown.onnx", unknown, NAMES)
    assert not (tmp_path / "unknown.onnx").exists()


def test_a_fusion_that_changes_the_logits_is_not_kept(network, traced, tmp_path: Path):
    other = copy.deepcopy(network)
    with torch.no_grad():
        other.qa_outputs.bias += 0.01  # every logit moves by 0.01: more than the 1e-3 allowed
    moved = tmp_path / "moved.onnx"
    trace(other, NAMES, moved)
    assert same_logits(traced, traced, NAMES) and not same_logits(traced, moved, NAMES)
    assert not fuse(traced, tmp_path / "fused.onnx", network.config, NAMES, reference=moved)
    assert not (tmp_path / "fused.onnx").exists()


def test_eager_attention_holds_only_inside_the_block(network):
    before = network.config._attn_implementation
    with eager_attention(network):
        assert {m.config._attn_implementation for m in network.modules() if hasattr(m, "config")} == {"eager"}
    assert network.config._attn_implementation == before
