"""The answer-or-abstain model: the probability that a candidate answer is right.

Selective question answering (Kamath, Jia & Liang, 2020): a small calibrator over the evidence
for the reader's answer (`qa.answers.features`) says how likely it is to be right; Newsdesk
answers when that clears ``min_confidence`` and says "not found" otherwise. The model is a
logistic regression over standardised features, stored as JSON next to the reader it was fitted
for (weights, means, scales, the default threshold and how it was trained): no pickle, and no
scikit-learn needed to use it, only to fit it.

>>> model = SelectiveModel(("score",), (10.0,), (5.0,), (2.0,), 0.0, 0.5)
>>> round(model.probability({"score": 10.0}), 3), round(model.probability({"score": 15.0}), 3)
(0.5, 0.881)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from qa.errors import UsageError

FORMAT = "newsdesk-selective-qa/1"
# The model fitted for the shipped reader (its scores are what the model reads).
SHIPPED_ANSWER_MODEL = Path(__file__).resolve().parent.parent / "models" / "reader" / "answer-model.json"
# The threshold of a judge whose own was not chosen on calibration questions: even odds.
DEFAULT_MIN_CONFIDENCE = 0.5


def shipped_min_confidence() -> float:
    """The shipped answer model's threshold for answering, as its file says (what
    ``--min-confidence`` defaults to)."""
    return float(json.loads(SHIPPED_ANSWER_MODEL.read_text(encoding="utf-8"))["min_confidence"])


class Judge(Protocol):
    """What decides how likely a candidate answer is to be right."""

    min_confidence: float
    features: tuple[str, ...]  # the features it reads (the others need not be computed)

    def probability(self, features: Mapping[str, float]) -> float: ...


@dataclass(frozen=True)
class SelectiveModel:
    """A logistic regression: ``sigmoid(bias + sum(weight * (x - mean) / scale))``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    min_confidence: float  # the default threshold for answering
    trained: Mapping[str, object] = field(default_factory=dict)  # data, counts and scores

    def probability(self, features: Mapping[str, float]) -> float:
        missing = [name for name in self.features if name not in features]
        if missing:
            raise KeyError(f"the answer model needs features it was not given: {', '.join(missing)}")
        logit = self.bias + sum(
            w * (features[name] - m) / s
            for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True)
        )
        return _sigmoid(logit)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities for a matrix of feature rows (columns in ``features`` order)."""
        logits = self.bias + ((rows - np.array(self.mean)) / np.array(self.scale)) @ np.array(self.weights)
        return 1.0 / (1.0 + np.exp(-logits))

    def with_min_confidence(self, min_confidence: float) -> SelectiveModel:
        return SelectiveModel(**{**asdict(self), "min_confidence": min_confidence})

    def with_trained(self, trained: Mapping[str, object]) -> SelectiveModel:
        return SelectiveModel(**{**asdict(self), "trained": dict(trained)})

    def save(self, path: str | Path) -> None:
        data = {"format": FORMAT, **asdict(self)}
        Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> SelectiveModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise UsageError(f"cannot read the answer model {path}: {error}") from error
        if data.pop("format", None) != FORMAT:
            raise UsageError(f"{path} is not a Newsdesk answer model ({FORMAT})")
        lists = ("features", "mean", "scale", "weights")
        return cls(**{k: tuple(v) if k in lists else v for k, v in data.items()})


@dataclass(frozen=True)
class MarginJudge:
    """For a reader with no fitted answer model: a logistic of the reader's score over its
    threshold, 0.5 at the threshold. Not a calibrated probability; fit a model with
    ``newsdesk train-answer-model`` for that.

    >>> judge = MarginJudge(8.0)
    >>> judge.probability({"score": 8.0}), round(judge.probability({"score": 10.0}), 3)
    (0.5, 0.881)
    """

    threshold: float
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    features: tuple[str, ...] = ("score",)

    def probability(self, features: Mapping[str, float]) -> float:
        return _sigmoid(features["score"] - self.threshold)


def _sigmoid(logit: float) -> float:
    if logit < -700:  # math.exp overflows past ~709
        return 0.0
    return 1.0 / (1.0 + math.exp(-logit))


def fit_selective(
    rows: Sequence[Mapping[str, float]],
    correct: Sequence[bool],
    features: Sequence[str],
    weights: Sequence[float] | None = None,
    regularisation: float = 1.0,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    trained: Mapping[str, object] | None = None,
) -> SelectiveModel:
    """Fit the model on candidate answers and whether each was right (scikit-learn's logistic
    regression with L2 strength ``1 / regularisation``; ``weights`` per row, e.g. to balance data
    sets)."""
    from sklearn.linear_model import LogisticRegression

    matrix = np.array([[row[name] for name in features] for row in rows], dtype=np.float64)
    labels = np.array(correct, dtype=int)
    if len(set(labels.tolist())) < 2:
        raise ValueError("fitting needs both right and wrong candidate answers")
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    fitted = LogisticRegression(C=1.0 / regularisation, max_iter=2000)
    fitted.fit((matrix - mean) / scale, labels, sample_weight=None if weights is None else np.asarray(weights))
    return SelectiveModel(
        features=tuple(features),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(float(v) for v in fitted.coef_[0]),
        bias=float(fitted.intercept_[0]),
        min_confidence=min_confidence,
        trained=dict(trained or {}),
    )


def recalibrate(
    model: SelectiveModel,
    rows: Sequence[Mapping[str, float]],
    correct: Sequence[bool],
    weights: Sequence[float] | None = None,
) -> SelectiveModel:
    """The model with its logit rescaled (Platt scaling: ``a * logit + b``) to fit ``rows``: the
    answers Newsdesk would give (one per question), weighted to the mix of questions it will be
    asked. Fitting on every candidate ranks candidates; this makes the chosen one's probability
    mean what it says."""
    from sklearn.linear_model import LogisticRegression

    matrix = np.array([[row[name] for name in model.features] for row in rows], dtype=np.float64)
    logits = model.bias + ((matrix - np.array(model.mean)) / np.array(model.scale)) @ np.array(model.weights)
    platt = LogisticRegression(C=1e6, max_iter=1000)
    platt.fit(
        logits[:, None], np.array(correct, dtype=int), sample_weight=None if weights is None else np.asarray(weights)
    )
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return SelectiveModel(
        **{**asdict(model), "weights": tuple(a * w for w in model.weights), "bias": a * model.bias + b}
    )


def expected_calibration_error(probabilities: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """The mean gap between confidence and accuracy over equal-width confidence bins, weighted by
    how many predictions fall in each (Guo et al., 2017).

    >>> expected_calibration_error([0.9, 0.9, 0.1, 0.1], [True, False, False, False])
    0.25
    """
    return sum(abs(b.confidence - b.accuracy) * b.count for b in reliability(probabilities, correct, bins)) / max(
        len(probabilities), 1
    )


def chance_calibration_error(
    probabilities: Sequence[float], bins: int = 10, draws: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """The expected calibration error that a perfectly calibrated model would show at these
    confidences from sampling alone (outcomes drawn as Bernoulli(p)): its 5th, 50th and 95th
    percentiles over ``draws`` draws. On a few dozen questions ECE is far from 0 even when every
    probability is exact; a measured ECE inside this range is no evidence of miscalibration.
    Measured: at the shipped confidences on the 88 held-out news questions it is 0.054 / 0.080 /
    0.113, and a perfect model shows ECE <= 0.05 there in 2.7% of draws.

    >>> low, median, high = chance_calibration_error([0.5] * 20, draws=500)
    >>> low < median < high and 0.0 < median < 0.5
    True
    >>> chance_calibration_error([1.0, 0.0, 1.0])
    (0.0, 0.0, 0.0)
    """
    probs = np.asarray(probabilities, dtype=np.float64)
    rng = np.random.default_rng(seed)
    errors = [expected_calibration_error(probs, rng.random(len(probs)) < probs, bins) for _ in range(draws)]
    low, median, high = np.percentile(errors, [5, 50, 95])
    return float(low), float(median), float(high)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    confidence: float  # mean predicted probability
    accuracy: float  # share right


def reliability(probabilities: Sequence[float], correct: Sequence[bool], bins: int = 10) -> list[Bin]:
    """The non-empty equal-width bins of a reliability diagram."""
    probs = np.asarray(probabilities, dtype=np.float64)
    right = np.asarray(correct, dtype=np.float64)
    which = np.minimum((probs * bins).astype(int), bins - 1)
    return [
        Bin(b / bins, (b + 1) / bins, int(mask.sum()), float(probs[mask].mean()), float(right[mask].mean()))
        for b in range(bins)
        if (mask := which == b).any()
    ]
