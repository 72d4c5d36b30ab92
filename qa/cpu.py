"""Which numeric path each model takes on this CPU: never one the CPU lacks the instructions for.

bf16 is fast only where the CPU computes in bf16 (AVX512_BF16 or AMX); elsewhere PyTorch emulates
it and the shipped reader ran 3.7x slower than fp32 (1.5 s against 0.42 s a question on a 2-core
AVX2 server, issue #23). int8 pays only with VNNI (AVX512_VNNI, AVX-VNNI or AMX): without it the
int8 ONNX embedder managed ~10 chunks a CPU-second where fp32 does several times more.

The reader runs on ONNX Runtime on the CPU (`choose_reader_path`): fp32 there took 0.80
CPU-seconds a question on an AVX2 server against PyTorch fp32's 1.17 (issue #23), at the same
spans. With VNNI it runs int8 with per-channel weights: the news questions read in 59 ms p50
against PyTorch bf16's 89 ms, at 0.45 F1 below fp32 on SQuAD v1.1 dev (within the 0.5 allowed;
PyTorch's per-tensor dynamic int8 lost 3.1, and is never chosen by itself).

The choice is a pure function of the CPU's flags (`choose_reader_path`, `choose_reader_precision`,
`choose_embedder_precision`), unit-tested with hand-made flag sets; `cpu_flags` reads them from
/proc/cpuinfo, less what ``ONEDNN_MAX_CPU_ISA`` / ``ATEN_CPU_CAPABILITY`` tell PyTorch not to use
(so ``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2`` makes Newsdesk choose as on an AVX2
machine, as it makes PyTorch run like one).

>>> choose_reader_precision({"avx2", "avx512f"}, preferred="bf16").why
'fp32: the shipped reader prefers bf16, but this CPU has no bf16 instructions (AVX512_BF16 or AMX)'
>>> choose_reader_precision({"avx2", "avx512f", "avx512_bf16"}, preferred="bf16").precision
'bf16'
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# What the int8 reader costs, on the full SQuAD v1.1 dev set (newsdesk eval reader --backend onnx --precision int8).
INT8_READER_COST = "F1 83.48 against fp32's 83.93 on SQuAD v1.1 dev"
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
# The flags an ISA cap leaves out: ONEDNN_MAX_CPU_ISA=AVX2 (or ATEN_CPU_CAPABILITY=avx2) means
# no AVX-512 and no AMX, whatever the CPU has.
_BEYOND_AVX2 = ("avx512", "amx", "avx_vnni")


@dataclass(frozen=True)
class Choice:
    """A precision and why it was chosen, as `newsdesk status` and the server log say it."""

    precision: str
    why: str
    backend: str = "torch"  # "torch" (PyTorch) or "onnx" (ONNX Runtime)


@cache
def cpu_flags() -> frozenset[str]:
    """This CPU's feature flags (lower case, as /proc/cpuinfo names them), less those PyTorch is
    told not to use. Empty where /proc/cpuinfo is absent (not Linux): then the safe fp32 path."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
            break
    return capped(frozenset(flags), os.environ)


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system says it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def wait_passively(environ: MutableMapping[str, str]) -> bool:
    """Ask OpenMP's threads to sleep, not spin, when their work is done, unless ``environ`` says
    otherwise; say whether it asked. Takes effect only where FAISS's and PyTorch's OpenMP load
    after it, which `qa`'s import sees to (they load on first use).

    Why: a question runs FAISS (OpenMP), then the reader (ONNX Runtime's own threads), and any
    PyTorch model (OpenMP; the fp32 embedder was one when this was measured) in between. OpenMP's
    threads spin on after their part and take the cores from the next part. Warm `Newsdesk.answer`
    p50 on this 2-core machine, median of 4 runs taking turns (`python bench/omp_wait.py`, its
    docstring has both commands): 5,884 articles, AVX-512 path, 63.6 ms spinning against 47.2 ms
    sleeping; the seed + 336 articles under the AVX2 cap, 122.0 against 87.6 ms. Sleeping won every
    one of the 8 pairs.

    >>> environ = {}
    >>> wait_passively(environ), environ
    (True, {'OMP_WAIT_POLICY': 'PASSIVE'})
    >>> wait_passively({"OMP_WAIT_POLICY": "ACTIVE"})
    False
    """
    if "OMP_WAIT_POLICY" in environ:
        return False
    environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return True


def capped(flags: frozenset[str], environ: Mapping[str, str]) -> frozenset[str]:
    """``flags`` less what an ISA cap in ``environ`` forbids.

    >>> sorted(capped(frozenset({"avx2", "avx512f", "avx512_bf16"}), {"ONEDNN_MAX_CPU_ISA": "AVX2"}))
    ['avx2']
    >>> sorted(capped(frozenset({"avx2", "avx512_bf16"}), {"ATEN_CPU_CAPABILITY": "avx512"}))
    ['avx2', 'avx512_bf16']
    """
    limits = (environ.get("ONEDNN_MAX_CPU_ISA", "").lower(), environ.get("ATEN_CPU_CAPABILITY", "").lower())
    if any(limit in ("avx2", "avx", "sse41", "sse4_1", "default") for limit in limits):
        return frozenset(flag for flag in flags if not flag.startswith(_BEYOND_AVX2))
    return flags


def choose_reader_precision(flags: Collection[str], preferred: str = "bf16") -> Choice:
    """The reader's path: the model card's ``preferred`` precision where the CPU runs it natively,
    else fp32. int8 is never chosen by itself (−3.1 F1 on SQuAD v1.1 dev)."""
    if preferred == "bf16":
        if BF16_FLAGS & set(flags):
            return Choice("bf16", "bf16: this CPU computes in bf16 (AVX512_BF16 or AMX)")
        return Choice(
            "fp32", "fp32: the shipped reader prefers bf16, but this CPU has no bf16 instructions (AVX512_BF16 or AMX)"
        )
    return Choice("fp32", f"fp32: the model card asks for {preferred}" if preferred != "fp32" else "fp32")


def choose_reader_path(
    flags: Collection[str], preferred: str = "bf16", asked: str = "auto", backend: str = "auto", device: str = "cpu"
) -> Choice:
    """The reader's backend and precision. On the CPU, ONNX Runtime unless PyTorch is asked for
    (or bf16, which only PyTorch runs): int8 per-channel where the CPU has VNNI, fp32 elsewhere.
    On a GPU, or with ``backend="torch"``, PyTorch as `choose_reader_precision` decides.

    >>> choose_reader_path({"avx2"}).why
    'fp32 (ONNX Runtime): no VNNI int8 instructions on this CPU, where int8 gains little'
    >>> choose_reader_path({"avx2", "avx512_vnni"}, asked="bf16")
    Choice(precision='bf16', why='bf16 (PyTorch): as asked', backend='torch')
    """
    if device != "cpu" or backend == "torch" or asked == "bf16":
        if asked not in ("auto", None):
            return Choice(asked, f"{asked} (PyTorch): as asked")
        choice = choose_reader_precision(flags, preferred)
        return Choice(choice.precision, choice.why.replace(":", " (PyTorch):", 1))
    if asked not in ("auto", None):
        return Choice(asked, f"{asked} (ONNX Runtime): as asked", "onnx")
    if VNNI_FLAGS & set(flags):
        return Choice(
            "int8", f"int8 (ONNX Runtime, per-channel): this CPU has VNNI int8 instructions; {INT8_READER_COST}", "onnx"
        )
    return Choice("fp32", "fp32 (ONNX Runtime): no VNNI int8 instructions on this CPU, where int8 gains little", "onnx")


def choose_embedder_precision(flags: Collection[str]) -> Choice:
    """The embedder's path: int8 with VNNI, where it measured over twice bf16's throughput at the
    same answers; else fp32. Both run on ONNX Runtime on the CPU (`qa.embedding`)."""
    if VNNI_FLAGS & set(flags):
        return Choice("int8", "int8 (ONNX Runtime): this CPU has VNNI int8 instructions", "onnx")
    why = "fp32 (ONNX Runtime): this CPU has no VNNI int8 instructions, where int8 runs slower than fp32"
    return Choice("fp32", why, "onnx")
