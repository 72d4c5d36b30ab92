"""The numeric path per CPU: a pure function of the CPU's flags, and what Reader() and Embedder()
pick with no arguments on an AVX2-only machine (PyTorch's own AVX2 cap, in a fresh process)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.cpu import (
    BF16_FLAGS,
    VNNI_FLAGS,
    Choice,
    capped,
    choose_embedder_precision,
    choose_reader_path,
    choose_reader_precision,
    usable_cores,
    wait_passively,
)
from qa.embedding import Embedder
from tests.conftest import ROOT

AVX2_LAPTOP = {"sse4_2", "avx", "avx2", "fma", "f16c"}
AVX512_SERVER = AVX2_LAPTOP | {"avx512f", "avx512bw", "avx512vl", "avx512_vnni"}
SAPPHIRE_RAPIDS = AVX512_SERVER | {"avx512_bf16", "amx_bf16", "amx_int8", "amx_tile"}
SOME_FLAGS = st.sets(st.sampled_from(sorted(SAPPHIRE_RAPIDS | {"avx_vnni", "neon", "asimd"})))


@given(SOME_FLAGS)
def test_bf16_only_with_bf16_instructions(flags: set[str]):
    choice = choose_reader_precision(flags, preferred="bf16")
    assert choice.precision == ("bf16" if flags & BF16_FLAGS else "fp32")
    assert choose_reader_precision(flags, preferred="fp32").precision == "fp32"
    assert choice.precision != "int8"  # dynamic int8 lost 3.1 F1: never picked by itself


@given(SOME_FLAGS, st.sampled_from(["bf16", "fp32"]))
def test_the_reader_path_never_takes_an_instruction_the_cpu_lacks(flags: set[str], preferred: str):
    choice = choose_reader_path(flags, preferred)
    # On the CPU: ONNX Runtime, int8 per-channel only with VNNI, never bf16 (ONNX Runtime has none).
    assert (choice.backend, choice.precision) == ("onnx", "int8" if flags & VNNI_FLAGS else "fp32")
    on_torch = choose_reader_path(flags, preferred, backend="torch")
    assert on_torch.backend == "torch"
    assert on_torch.precision == ("bf16" if flags & BF16_FLAGS and preferred == "bf16" else "fp32")
    assert choose_reader_path(flags, preferred, device="cuda").backend == "torch"


def test_an_asked_precision_is_kept_and_bf16_goes_to_pytorch():
    assert choose_reader_path(AVX2_LAPTOP, asked="int8") == Choice("int8", "int8 (ONNX Runtime): as asked", "onnx")
    assert choose_reader_path(SAPPHIRE_RAPIDS, asked="fp32", backend="torch") == Choice(
        "fp32", "fp32 (PyTorch): as asked", "torch"
    )
    assert choose_reader_path(AVX2_LAPTOP, asked="bf16").backend == "torch"
    assert choose_reader_path(AVX512_SERVER).why.startswith(
        "int8 (ONNX Runtime, per-channel): this CPU has VNNI int8 instructions"
    )


@given(SOME_FLAGS)
def test_int8_embedding_only_with_vnni(flags: set[str]):
    assert choose_embedder_precision(flags).precision == ("int8" if flags & VNNI_FLAGS else "fp32")


def test_machine_classes():
    assert [choose_reader_precision(f).precision for f in (AVX2_LAPTOP, AVX512_SERVER, SAPPHIRE_RAPIDS)] == [
        "fp32",
        "fp32",
        "bf16",
    ]
    assert [choose_embedder_precision(f).precision for f in (AVX2_LAPTOP, AVX512_SERVER, SAPPHIRE_RAPIDS)] == [
        "fp32",
        "int8",
        "int8",
    ]
    # Both embedder paths run on ONNX Runtime on the CPU: no PyTorch when a question is embedded.
    assert {choose_embedder_precision(f).backend for f in (AVX2_LAPTOP, AVX512_SERVER, SAPPHIRE_RAPIDS)} == {"onnx"}


def test_an_avx2_cap_hides_every_wider_instruction():
    assert capped(frozenset(SAPPHIRE_RAPIDS), {"ONEDNN_MAX_CPU_ISA": "AVX2"}) == AVX2_LAPTOP
    assert capped(frozenset(SAPPHIRE_RAPIDS), {"ATEN_CPU_CAPABILITY": "avx2"}) == AVX2_LAPTOP
    assert capped(frozenset(SAPPHIRE_RAPIDS), {}) == SAPPHIRE_RAPIDS


def test_usable_cores_counts_the_affinity_set_not_every_core(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert usable_cores() == 3


def test_usable_cores_without_affinity_is_the_core_count(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert usable_cores() == 4


def test_usable_cores_is_one_where_the_core_count_is_unknown(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert usable_cores() == 1


def test_the_reader_path_prefers_bf16_by_default_on_pytorch():
    assert choose_reader_path(SAPPHIRE_RAPIDS, backend="torch") == Choice(
        "bf16", "bf16 (PyTorch): this CPU computes in bf16 (AVX512_BF16 or AMX)", "torch"
    )
    assert choose_reader_path(AVX2_LAPTOP, device="cuda") == Choice(
        "fp32",
        "fp32 (PyTorch): the shipped reader prefers bf16, but this CPU has no bf16 instructions (AVX512_BF16 or AMX)",
        "torch",
    )


def test_the_pytorch_reason_marks_only_its_first_colon():
    assert choose_reader_path(AVX2_LAPTOP, preferred="fp8:e4m3", backend="torch") == Choice(
        "fp32", "fp32 (PyTorch): the model card asks for fp8:e4m3", "torch"
    )


def openmp_spin_counts(environ: dict[str, str]) -> list[str]:
    """GOMP_SPINCOUNT of each OpenMP runtime (FAISS's and PyTorch's) in a process that imports qa
    first, as the runtimes themselves report it (OMP_DISPLAY_ENV)."""
    done = subprocess.run(
        [sys.executable, "-c", "import qa, faiss, torch"],
        cwd=ROOT,
        env={**environ, "OMP_DISPLAY_ENV": "VERBOSE", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return re.findall(r"GOMP_SPINCOUNT = '(\d+)'", done.stderr)


def test_importing_qa_makes_openmp_threads_sleep_when_done_unless_the_user_chose():
    unset = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert openmp_spin_counts(unset) == ["0", "0"]  # both runtimes: no spinning (unset: 300000)
    assert all(int(count) > 300_000 for count in openmp_spin_counts({**unset, "OMP_WAIT_POLICY": "ACTIVE"}))
    assert wait_passively({"OMP_WAIT_POLICY": "ACTIVE"}) is False


PICKED = """
import json
from qa.embedding import Embedder
from qa.reader import Reader
reader = Reader()
reader.warm_up()
embedder = Embedder()
print(json.dumps({"reader": reader.precision, "why": reader.precision_reason, "embedder": embedder.precision}))
"""


def test_reader_and_embedder_with_no_arguments_never_take_bf16_or_int8_on_an_avx2_machine():
    avx2 = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PICKED], cwd=ROOT, env=avx2, capture_output=True, text=True, timeout=300, check=True
    )
    picked = json.loads(done.stdout.strip().splitlines()[-1])
    assert (picked["reader"], picked["embedder"]) == ("fp32", "fp32")
    assert picked["why"] == "fp32 (ONNX Runtime): no VNNI int8 instructions on this CPU, where int8 gains little"


def test_auto_embeds_as_the_index_was_embedded():
    embedder = Embedder()  # auto: int8 or fp32, as this CPU prefers
    preferred = embedder.precision
    other = "fp32" if preferred == "int8" else "int8"
    embedder.adopt({"precision": other, "max_tokens": 128})
    assert embedder.precision == other and "the index was embedded in" in embedder.precision_reason
    embedder.adopt(None)  # a rebuild, or no index yet
    assert embedder.precision == preferred
    asked = Embedder(precision="bf16")
    asked.adopt({"precision": "int8", "max_tokens": 128})
    assert asked.precision == "bf16"  # a precision that was asked for is kept


def test_each_choice_says_why_in_words():
    assert choose_reader_precision(SAPPHIRE_RAPIDS).why == "bf16: this CPU computes in bf16 (AVX512_BF16 or AMX)"
    assert choose_reader_precision(AVX2_LAPTOP).why == (
        "fp32: the shipped reader prefers bf16, but this CPU has no bf16 instructions (AVX512_BF16 or AMX)"
    )
    assert choose_reader_precision(SAPPHIRE_RAPIDS, preferred="fp32").why == "fp32"
    assert choose_reader_precision(SAPPHIRE_RAPIDS, preferred="int8").why == "fp32: the model card asks for int8"
    assert choose_embedder_precision(AVX512_SERVER).why == "int8 (ONNX Runtime): this CPU has VNNI int8 instructions"
    assert choose_embedder_precision(AVX2_LAPTOP).why == (
        "fp32 (ONNX Runtime): this CPU has no VNNI int8 instructions, where int8 runs slower than fp32"
    )


@pytest.mark.parametrize("cap", ["AVX2", "avx", "sse41", "SSE4_1", "default"])
@pytest.mark.parametrize("variable", ["ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY"])
def test_every_narrower_cap_hides_the_wide_instructions(variable: str, cap: str):
    assert capped(frozenset(SAPPHIRE_RAPIDS | {"avx_vnni"}), {variable: cap}) == AVX2_LAPTOP


@pytest.mark.parametrize("cap", ["AVX512_CORE_AMX", "avx512", "", "avx10"])
def test_a_wide_or_no_cap_keeps_every_instruction(cap: str):
    flags = frozenset(SAPPHIRE_RAPIDS)
    assert capped(flags, {"ONEDNN_MAX_CPU_ISA": cap, "ATEN_CPU_CAPABILITY": cap}) == flags


OPENED = """
import json, sys
from qa import Newsdesk
desk = Newsdesk(articles_dir=sys.argv[1], index_dir=sys.argv[2], auto_sync=False)
desk.warm_up()
print(json.dumps({"embedder": desk.embedder.precision, "why": desk.embedder.precision_reason,
                  "stale": desk.is_stale()}))
"""


def test_an_index_moved_to_another_cpu_class_is_used_as_it_was_embedded(desk):
    """Built here (int8 with VNNI; fp32 without), opened as on the other class of CPU: the
    questions are embedded as the index's chunks were, and the index is not stale."""
    built = desk.status().embedding["precision"]
    other = {**os.environ, "PYTHONPATH": str(ROOT)}
    if built == "int8":
        other |= {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
    done = subprocess.run(
        [sys.executable, "-c", OPENED, str(desk.articles_dir), str(desk.index_dir)],
        cwd=ROOT, env=other, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    opened = json.loads(done.stdout.strip().splitlines()[-1])
    assert opened["embedder"] == built and opened["stale"] is False
    if built == "int8":
        assert opened["why"].startswith("int8: the index was embedded in int8 (this CPU would pick fp32")
