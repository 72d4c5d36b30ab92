"""The stand-in embedder: hashed words and word pairs, NOT a language model (see the package)."""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from qa.embedding import Embedder
from qa.words import STOPWORDS

DIMENSION = 384
STOPWORD_WEIGHT = 0.15
PAIR_WEIGHT = 0.5
BATCH = 4096
_STOP_BIT = 1 << 32  # in a word's code: the word is a stopword
_SEPARATOR = -1  # the code of the \x00 that separates texts
# Bytes to lowercase words: ASCII letters lowercased, digits and UTF-8 (non-ASCII letters) kept,
# \x00 (between texts) kept, everything else a space. Common non-ASCII punctuation (curly quotes,
# dashes) becomes a space first.
_WORD_BYTES = bytes(
    c + 32 if 65 <= c <= 90 else c if c == 0 or 48 <= c <= 57 or 97 <= c <= 122 or c >= 128 else 32 for c in range(256)
)
_PUNCTUATION = re.compile("[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0\u00ab\u00bb]")
_STOPWORD_BYTES = frozenset(word.encode() for word in STOPWORDS)
_UNKNOWN = -2
_CODES: dict[bytes, int] = {b"\x00": _SEPARATOR}  # word -> its code (`_code`)


def _code(word: bytes) -> int:
    """A word's code, kept in _CODES: its crc32 (the same in every process, unlike hash()), plus
    _STOP_BIT for stopwords."""
    if len(_CODES) > 2_000_000:  # unbounded vocabularies (ids, numbers): start again
        _CODES.clear()
        _CODES[b"\x00"] = _SEPARATOR
    code = _CODES[word] = zlib.crc32(word) | (_STOP_BIT if word in _STOPWORD_BYTES else 0)
    return code


@functools.cache
def _rotation() -> np.ndarray:
    """A fixed random rotation: it spreads the bucket counts over every dimension, as real
    embeddings are dense, and keeps every cosine as it was."""
    q, r = np.linalg.qr(np.random.default_rng(384_000).standard_normal((DIMENSION, DIMENSION)))
    return (q * np.sign(np.diag(r))).astype(np.float32)


@dataclass
class StandInEmbedder(Embedder):
    """A STAND-IN for the real embedder, for timing the index machinery alone: NOT a language model.

    Each text's lowercased words (stopwords at weight 0.15) and pairs of adjacent non-stopwords (at
    0.5) are hashed (crc32) into 384 buckets with a sign, the bucket sums are rotated by a fixed
    random rotation and scaled to unit length. Texts that share words get similar vectors, so
    nearest-neighbour searches behave like real ones, at a tiny fraction of a model's cost.
    Deterministic in every process. Its name, ``stand-in:hashing-384``, goes into an index's
    manifest, so an index built with it is never served as a real one."""

    @property
    def name(self) -> str:
        return f"stand-in:hashing-{DIMENSION}"

    @property
    def settings(self) -> dict[str, str | int | None]:
        return {"kind": "stand-in", "method": "crc32 hashed words and word pairs, rotated", "version": 1}

    @property
    def dimension(self) -> int:
        return DIMENSION

    def warm_up(self) -> None:
        """Nothing to load."""

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (``progress`` is ignored)."""
        texts = list(texts)
        parts = [self._embed_batch(texts[begin : begin + BATCH]) for begin in range(0, len(texts), BATCH)]
        return np.vstack(parts) if parts else np.zeros((0, DIMENSION), dtype=np.float32)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        joined = " \x00 ".join(texts)
        if joined.count("\x00") != len(texts) - 1:  # a text holds \x00 itself
            joined = " \x00 ".join(text.replace("\x00", " ") for text in texts)
        data = _PUNCTUATION.sub(" ", joined).encode("utf-8", "replace")
        words = data.translate(_WORD_BYTES).split()
        codes = np.fromiter(map(_CODES.get, words, repeat(_UNKNOWN)), dtype=np.int64, count=len(words))
        for at in np.flatnonzero(codes == _UNKNOWN).tolist():
            codes[at] = _code(words[at])
        separator = codes == _SEPARATOR
        row = np.cumsum(separator)  # which text each token is in
        codes, row = codes[~separator], row[~separator]
        stop = (codes & _STOP_BIT) != 0
        hashes = (codes & 0xFFFFFFFF).astype(np.uint64)
        # Pairs of adjacent non-stopwords in the same text, hashed from their two words' hashes.
        pair = ~stop[:-1] & ~stop[1:] & (row[:-1] == row[1:])
        mixed = hashes[:-1][pair] * np.uint64(0x9E3779B97F4A7C15) ^ hashes[1:][pair] * np.uint64(0xC2B2AE3D27D4EB4F)
        mixed = (mixed ^ (mixed >> np.uint64(29))) >> np.uint64(11)
        keys = np.concatenate([hashes, mixed])
        weights = np.concatenate([np.where(stop, STOPWORD_WEIGHT, 1.0), np.full(len(mixed), PAIR_WEIGHT)])
        signs = np.where((keys >> np.uint64(20)) & np.uint64(1), 1.0, -1.0)
        buckets = (keys % np.uint64(DIMENSION)).astype(np.int64) + np.concatenate([row, row[:-1][pair]]) * DIMENSION
        sums = np.bincount(buckets, weights=signs * weights, minlength=len(texts) * DIMENSION)
        sums = sums.reshape(len(texts), DIMENSION).astype(np.float32)
        sums[~sums.any(axis=1), 0] = 1.0  # a text without words: one fixed vector
        vectors = sums @ _rotation()
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors
