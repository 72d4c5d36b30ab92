"""The int8 file of an export, quantised from its fp32 file the first time int8 is asked for.

Why on demand: a CPU without VNNI runs both models in fp32 (`qa.cpu`), and quantising them took
6.5 of the ~28 s before the first answer on an AVX2 machine's first start (embedder 3.1 s, reader
3.4 s: `python bench/avx2_only.py python bench/serving.py --first-start --cold-cache --runs 1`).

Dynamic quantisation, int8 weights per output channel, uint8 activations: per-channel scales kept
the reader within 0.45 F1 of fp32 on SQuAD v1.1 dev, where per-tensor scales lost 3.1.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from qa.backend.cache import ExportCacheError

log = logging.getLogger(__name__)


def int8_file(plain: Path, int8: Path, what: str, instead: str) -> Path:
    """``int8``, quantised from the fp32 model ``plain`` unless it is there already. Written to a
    staging file renamed into place, so a reader never sees half of it; two processes making it at
    once both end with a whole file. ``what`` and ``instead`` word the error when the folder
    cannot be written."""
    if int8.is_file():
        return int8
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantising %s to int8 (once) into %s", what, int8)
    try:
        handle, staging_name = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=int8.parent)
        os.close(handle)
    except OSError as error:
        raise ExportCacheError(
            f"cannot write {what}'s int8 file in {int8.parent} ({error.strerror or error}): "
            f"point NEWSDESK_CACHE at a writable folder, or {instead}"
        ) from error
    staging = Path(staging_name)
    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # the quantizer logs advice to the root logger
    try:
        quantize_dynamic(str(plain), str(staging), weight_type=QuantType.QInt8, per_channel=True)
        staging.replace(int8)
    finally:
        logging.getLogger().setLevel(quiet)
        staging.unlink(missing_ok=True)
    return int8


def model_file(folder: Path, files: Mapping[str, str], precision: str, what: str, instead: str) -> Path:
    """The file of an export ``folder`` that runs ``precision`` (``files`` names one per precision),
    its int8 file quantised from the fp32 one on first use."""
    path = folder / files[precision]
    return int8_file(folder / files["fp32"], path, what, instead) if precision == "int8" else path
