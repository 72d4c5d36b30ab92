"""bench/avx2_only.py: a command run through it sees an AVX2-only CPU in every library, not only in
PyTorch (whose own caps leave ONNX Runtime, NumPy and FAISS on AVX-512)."""

from __future__ import annotations

import doctest
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import avx2_only
from tests.conftest import ROOT

CPUINFO = avx2_only.CPUINFO.read_text(encoding="utf-8") if avx2_only.CPUINFO.exists() else ""
needs_cpuid_fault = pytest.mark.skipif(
    not avx2_only.can_fault_cpuid(CPUINFO) or not (shutil.which("cc") or shutil.which("gcc")),
    reason="needs Linux on x86-64 with the cpuid_fault CPU flag and a C compiler",
)
needs_avx512 = pytest.mark.skipif(" avx512f" not in CPUINFO, reason="this CPU has no AVX-512 to hide")

# What a child process sees: NumPy's and PyTorch's readings of the CPU (both use CPUID).
PROBE = (
    "import torch; from numpy._core._multiarray_umath import __cpu_features__ as f; "
    "print(f['AVX512F'], f['AVX512_SKX'], f['AVX2'], torch.backends.cpu.get_cpu_capability())"
)


def run(command: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # As the CPU is, even when this suite itself runs under bench/avx2_only.py.
    unmasked = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", *avx2_only.CAPS)}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=unmasked)


def test_doctests() -> None:
    assert doctest.testmod(avx2_only).failed == 0


@needs_cpuid_fault
@needs_avx512
@pytest.mark.parametrize("options", [[], ["-X", "faulthandler"]])  # faulthandler sets its own SIGSEGV handler
def test_every_library_sees_avx2_only(options: list[str]) -> None:
    plain = run([sys.executable, "-c", PROBE])
    assert plain.stdout.split()[:3] == ["True", "True", "True"], plain.stderr  # the CPU as it is
    masked = run([sys.executable, str(ROOT / "bench" / "avx2_only.py"), sys.executable, *options, "-c", PROBE])
    assert masked.returncode == 0, masked.stderr
    # AVX2 kept, AVX-512 hidden; PyTorch's capability says AVX2 (its env cap is also set).
    assert masked.stdout.split() == ["False", "False", "True", "AVX2"]


@needs_cpuid_fault
@pytest.mark.parametrize("options", [[], ["-X", "faulthandler"]])
def test_a_real_crash_still_crashes(options: list[str]) -> None:
    """The fault handler answers CPUID only: any other segmentation fault ends the process as
    before, through the program's own handler where it has one (faulthandler's traceback)."""
    crash = "import ctypes; ctypes.string_at(0)"
    # A handler that returned from it instead would fault again forever: the timeout catches that.
    command = [sys.executable, str(ROOT / "bench" / "avx2_only.py"), sys.executable, *options, "-c", crash]
    done = run(command, timeout=60)
    assert done.returncode == -11
    assert ("Fatal Python error: Segmentation fault" in done.stderr) == bool(options)


def test_refuses_without_cpuid_fault(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n", encoding="utf-8")
    monkeypatch.setattr(avx2_only, "CPUINFO", cpuinfo)
    with pytest.raises(SystemExit, match="cannot make CPUID fault"):
        avx2_only.main(["true"])
