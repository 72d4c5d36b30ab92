"""The embedder: int8 ONNX vectors against PyTorch fp32, the export cache, and bad settings."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.embedding import EXPORT_FILES, Embedder, EmbedderCacheError, export_onnx
from tests.conftest import ROOT, STORIES

TEXTS = [text for _, _, text in STORIES.values()] + [
    "Putin will visit China and meet Xi Jinping.",
    "The central bank raised interest rates by half a point.",
]
QUESTIONS = [
    "Who won the chess championship?",
    "Where did the floods happen?",
    "What landed on the Moon?",
    "Who will Putin meet in China?",
    "What did the bank do to rates?",
]


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return Embedder(precision="fp32")


@pytest.fixture(scope="module")
def int8() -> Embedder:
    return Embedder(precision="int8")  # whatever this CPU would choose


def test_int8_vectors_agree_with_fp32(int8: Embedder, fp32: Embedder) -> None:
    embedder = int8
    fast, exact = embedder.embed(TEXTS), fp32.embed(TEXTS)
    assert fast.shape == exact.shape == (len(TEXTS), 384)
    assert fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * exact).sum(axis=1).min() > 0.97
    # What retrieval needs: each question finds the same nearest text either way.
    assert (
        (embedder.embed(QUESTIONS) @ fast.T).argmax(axis=1).tolist()
        == (fp32.embed(QUESTIONS) @ exact.T).argmax(axis=1).tolist()
        == [0, 1, 2, 3, 4]
    )


def test_int8_rows_do_not_depend_on_the_batch(int8: Embedder) -> None:
    embedder = int8
    together = embedder.embed(TEXTS)
    alone = np.stack([embedder.embed([text])[0] for text in reversed(TEXTS)])[::-1]
    np.testing.assert_allclose(together, alone, atol=1e-6)
    assert embedder.embed([]).shape == (0, 384)


def int8_matmuls(path: Path) -> int:
    """The graph's matrix products that take int8 weights (an unquantised fp32 export has none)."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    int8 = {t.name for t in graph.initializer if t.data_type in (onnx.TensorProto.INT8, onnx.TensorProto.UINT8)}
    return sum(
        1
        for node in graph.node
        if node.op_type in ("MatMulInteger", "QLinearMatMul", "DynamicQuantizeMatMul") and set(node.input) & int8
    )


def test_export_is_made_once_and_remade_when_damaged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="qa.embedding")
    first = Embedder(precision="int8", cache_dir=tmp_path)
    reference = first.embed(TEXTS)
    folder = export_onnx(first.location, tmp_path)
    assert int8_matmuls(folder / EXPORT_FILES["int8"]) == 36  # 6 layers x (q, k, v, out, 2 FFN): int8 weights
    assert sum("exporting" in r.message for r in caplog.records) == 1
    assert [p.name for p in (tmp_path / "embedders").iterdir()] == [folder.name]  # no staging left

    caplog.clear()
    np.testing.assert_allclose(Embedder(precision="int8", cache_dir=tmp_path).embed(TEXTS), reference, atol=1e-6)
    assert not any("exporting" in r.message for r in caplog.records)

    (folder / EXPORT_FILES["int8"]).write_bytes((folder / EXPORT_FILES["int8"]).read_bytes()[:1000])
    caplog.clear()
    np.testing.assert_allclose(Embedder(precision="int8", cache_dir=tmp_path).embed(TEXTS), reference, atol=1e-6)
    assert any("unreadable" in r.message for r in caplog.records)


def test_int8_is_quantised_only_when_asked_for(tmp_path: Path) -> None:
    """A CPU without VNNI embeds in fp32 and never pays for quantising (3.1 s of its first start)."""
    exact = Embedder(precision="fp32", cache_dir=tmp_path).embed(TEXTS)
    (folder,) = (tmp_path / "embedders").iterdir()
    assert not (folder / EXPORT_FILES["int8"]).exists() and (folder / EXPORT_FILES["fp32"]).is_file()
    fast = Embedder(precision="int8", cache_dir=tmp_path).embed(TEXTS)
    assert [p.name for p in (tmp_path / "embedders").iterdir()] == [folder.name]
    assert int8_matmuls(folder / EXPORT_FILES["int8"]) == 36
    assert sorted(p.name for p in folder.glob(".int8-*")) == []  # no staging file left
    np.testing.assert_allclose(fast, exact, atol=0.05)


def test_an_unwritable_export_folder_fails_int8_clearly(tmp_path: Path) -> None:
    from qa.backend.quantize import int8_file

    plain = tmp_path / "model.onnx"
    with pytest.raises(EmbedderCacheError, match="point NEWSDESK_CACHE at a writable folder, or use bf16"):
        int8_file(plain, tmp_path / "gone" / "model.int8.onnx", "the model", "use bf16")


def test_the_reason_keeps_saying_pytorch_after_a_failed_export(tmp_path: Path) -> None:
    """An index's settings are adopted again before every load: that must not relabel an fp32
    embedder that fell back to PyTorch as ONNX Runtime (`newsdesk ask` said so on AVX2)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    embedder = Embedder(cache_dir=blocker / "cache")  # auto
    recorded = {"precision": "fp32", "max_tokens": embedder.max_tokens}
    embedder.adopt(recorded)
    embedder.warm_up()
    assert embedder.precision_reason.startswith("fp32 (PyTorch): the ONNX export failed")
    embedder.adopt(recorded)
    assert embedder.precision_reason.startswith("fp32 (PyTorch): the ONNX export failed")
    embedder.adopt({"precision": "bf16", "max_tokens": embedder.max_tokens})  # another precision: a new load
    assert embedder.precision == "bf16" and "PyTorch" not in embedder.precision_reason


def test_fp32_runs_on_onnx_runtime_and_gives_pytorchs_vectors(fp32: Embedder) -> None:
    from sentence_transformers import SentenceTransformer

    from qa.embedding import _OnnxEncoder

    reference = SentenceTransformer(fp32.location, device="cpu")
    reference.max_seq_length = 128
    exact = reference.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    fp32.warm_up()
    assert isinstance(fp32._encoder, _OnnxEncoder)  # no PyTorch when a question is embedded
    np.testing.assert_allclose(fp32.embed(TEXTS), exact, atol=1e-5)


def test_fp32_runs_on_pytorch_where_the_onnx_export_cannot_be_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    unwritable = Embedder(precision="fp32", cache_dir=blocker / "cache")
    vectors = unwritable.embed(TEXTS)  # the same vectors, from PyTorch
    exported = Embedder(precision="fp32", cache_dir=tmp_path / "cache").embed(TEXTS)
    np.testing.assert_allclose(vectors, exported, atol=1e-5)
    assert "runs on PyTorch: its ONNX export failed" in caplog.text


def test_unknown_precision_is_refused() -> None:
    with pytest.raises(ValueError, match="int8, bf16, fp32"):
        Embedder(precision="fp8")


def test_models_the_export_cannot_express_are_refused_clearly(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Dense

    base = SentenceTransformer(Embedder().location, device="cpu")
    projected = SentenceTransformer(modules=[base[0], base[1], Dense(384, 64)], device="cpu")
    projected.save(str(tmp_path / "projected"))
    with pytest.raises(ValueError, match="precision='bf16'"):
        Embedder(str(tmp_path / "projected"), precision="int8", cache_dir=tmp_path / "cache").warm_up()
    assert Embedder(str(tmp_path / "projected"), precision="bf16").dimension == 64
    assert Embedder(str(tmp_path / "projected"), precision="fp32", cache_dir=tmp_path / "cache").dimension == 64


def test_an_unwritable_cache_gets_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(EmbedderCacheError, match="NEWSDESK_CACHE"):
        Embedder(precision="int8", cache_dir=blocker / "cache").warm_up()
    ask = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", "Who will Putin meet?"],
        cwd=ROOT,
        env={**os.environ, "NEWSDESK_CACHE": str(blocker / "cache"), "NEWSDESK_INDEX": str(tmp_path / "index")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    from qa.cpu import choose_embedder_precision, cpu_flags

    if choose_embedder_precision(cpu_flags()).precision == "int8":  # int8 runs on ONNX Runtime only
        assert ask.returncode == 2 and ask.stderr.startswith("newsdesk: cannot write the ONNX embedder's cache")
    else:  # fp32 (a CPU without VNNI) runs on PyTorch instead, and says so
        assert ask.returncode == 0 and ask.stdout.startswith("Xi Jinping"), ask.stderr
        assert "embedder fp32 (PyTorch): the ONNX export failed" in ask.stderr
