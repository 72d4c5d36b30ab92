"""Pack what a GPU machine with no network needs to train the reader into ``.device/``:
a float16 copy of the base encoder (the full fp32 file is over the transfer limit; the word
embeddings stay frozen, and the shipped delta composes with the fp32 pip copy), the SHA-256 of the
real base file, and the SQuAD files, gzipped.

    python training/prepare_bundle.py     # then, on the GPU machine: bash training/run_on_gpu.sh 270
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

from qa.reader_model import base_encoder_path, sha256_of

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "data" / "squad"
BUNDLE = ROOT / ".device"


def main() -> None:
    source = base_encoder_path()
    base = BUNDLE / "base"
    base.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(source / name, base / name)
    tensors = load_file(str(source / "model.safetensors"))
    save_file(
        {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}, str(base / "model.safetensors")
    )
    (BUNDLE / "base_sha256").write_text(sha256_of(source / "model.safetensors"))
    for name in ("train-v1.1.reconstructed.json", "dev-v1.1.json", "dev-v2.0.reconstructed.json"):
        with open(SQUAD / name, "rb") as raw, gzip.open(BUNDLE / f"{name}.gz", "wb") as packed:
            shutil.copyfileobj(raw, packed)


if __name__ == "__main__":
    main()
