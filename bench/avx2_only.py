"""Run a command as on an AVX2-only x86 CPU, every library included:

    python bench/avx2_only.py python bench/peers.py --questions 60
    python bench/avx2_only.py python bench/latency.py --corpus all

``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2`` caps PyTorch only. ONNX Runtime (both of
Newsdesk's models on the CPU), NumPy and FAISS's kernels read the CPU's features with the CPUID
instruction and have no such switch, so under those two variables alone they still ran AVX-512.
This sets both variables and preloads `avx2_only/cpuid_mask.c` (compiled here once, into
runs/avx2_only/), which makes CPUID fault and answers it without the AVX-512, VNNI, bf16 and AMX
bits. It needs Linux on x86-64 with the ``cpuid_fault`` CPU flag and a C compiler; where either is
missing it says so and runs nothing.

What it cannot change: the cores themselves (their clock, caches, and how fast they run AVX2 code).
On this project's AMD EPYC (Zen 4), AVX-512 runs on 256-bit units, so AVX2 code loses less here
than on an Intel CPU with 512-bit units.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "bench" / "avx2_only" / "cpuid_mask.c"
BUILD = ROOT / "runs" / "avx2_only"
CPUINFO = Path("/proc/cpuinfo")
# What PyTorch is told as well, and what `qa.cpu.cpu_flags` reads to choose as on an AVX2 machine.
CAPS = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}


def can_fault_cpuid(cpuinfo: str) -> bool:
    """Whether the CPU lets Linux make CPUID fault (its ``flags`` line names ``cpuid_fault``).

    >>> can_fault_cpuid("flags\\t\\t: fpu avx2 cpuid_fault avx512f\\n")
    True
    >>> can_fault_cpuid("flags\\t\\t: fpu avx2 avx512f\\n")
    False
    """
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return "cpuid_fault" in value.split()
    return False


def build_library() -> Path:
    """Compile the CPUID mask once per version of its source; return the shared library's path."""
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    library = BUILD / f"libcpuid_mask-{digest}.so"
    if library.exists():
        return library
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        sys.exit("avx2_only: no C compiler found (install gcc, or set CC)")
    BUILD.mkdir(parents=True, exist_ok=True)
    partial = library.with_suffix(".partial")
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(partial), str(SOURCE), "-ldl"], check=True)
    partial.replace(library)
    return library


def avx2_environment(environ: dict[str, str], library: Path) -> dict[str, str]:
    """``environ`` with the PyTorch caps and the mask preloaded (ahead of any other preload).

    >>> env = avx2_environment({"LD_PRELOAD": "libx.so"}, Path("/m.so"))
    >>> env["LD_PRELOAD"], env["ATEN_CPU_CAPABILITY"], env["ONEDNN_MAX_CPU_ISA"]
    ('/m.so libx.so', 'avx2', 'AVX2')
    """
    preload = " ".join(p for p in (str(library), environ.get("LD_PRELOAD", "")) if p)
    return {**environ, **CAPS, "LD_PRELOAD": preload}


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if argv else 2)
    try:
        cpuinfo = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        cpuinfo = ""
    if not can_fault_cpuid(cpuinfo):
        sys.exit(
            "avx2_only: this CPU or kernel cannot make CPUID fault (no cpuid_fault flag in "
            "/proc/cpuinfo); measure on a real AVX2 machine instead"
        )
    environment = avx2_environment(dict(os.environ), build_library())
    os.execvpe(argv[0], argv, environment)


if __name__ == "__main__":
    main(sys.argv[1:])
