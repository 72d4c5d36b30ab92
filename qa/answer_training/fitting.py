"""Fitting the answer model to labelled candidates: the ranking regression, its Platt rescaling to
the share of unanswerable questions, and the threshold (`min_confidence`)."""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer_training.examples import Example
from qa.answers import FEATURES, SelectiveModel, fit_selective, recalibrate

# The share of questions with no answer in the archive that the shown confidence is calibrated for:
# that of the public news questions (24 of 192). Made-unanswerable examples are weighted to it.
UNANSWERABLE_SHARE = 0.125


def chosen(model: SelectiveModel, examples: Sequence[Example]) -> list[Example]:
    """Per question and setting, the candidate that Newsdesk would answer with (likeliest first)."""
    groups: dict[tuple[str, str], list[Example]] = {}
    for example in examples:
        if example.rank >= 0:
            groups.setdefault((example.question_id, example.setting), []).append(example)
    return [max(group, key=lambda e: model.probability(e.features)) for group in groups.values()]


def mix_weights(examples: Sequence[Example], unanswerable_share: float = UNANSWERABLE_SHARE) -> list[float]:
    """Weights that make unanswerable examples ``unanswerable_share`` of the total weight."""
    unanswerable = sum(not e.answerable for e in examples)
    answerable = len(examples) - unanswerable
    if not unanswerable or not answerable:
        return [1.0] * len(examples)
    ratio = unanswerable_share * answerable / ((1 - unanswerable_share) * unanswerable)
    return [1.0 if e.answerable else ratio for e in examples]


# Of the questions Newsdesk abstains on, at least this share must truly have no answer: a wrongly
# withheld answer costs the user as much as a wrong one, so the threshold is set by this.
NO_ANSWER_PRECISION = 0.85


def choose_min_confidence(
    model: SelectiveModel, examples: Sequence[Example], precision: float = NO_ANSWER_PRECISION
) -> float:
    """The highest threshold (in steps of 0.05) at which, among the questions of ``examples`` as
    asked (the "asked" setting), at least ``precision`` of those Newsdesk abstains on have no
    answer; the lowest threshold when none does."""
    answered = [e for e in chosen(model, examples) if e.setting == "asked"]
    probabilities = [model.probability(e.features) for e in answered]
    thresholds = [round(0.05 * step, 2) for step in range(1, 20)]

    def no_answer_precision(threshold: float) -> float:
        abstained = [e for p, e in zip(probabilities, answered, strict=True) if p < threshold]
        return sum(not e.answerable for e in abstained) / len(abstained) if abstained else 1.0

    meeting = [t for t in thresholds if no_answer_precision(t) >= precision]
    return max(meeting) if meeting else thresholds[0]


def fit(
    examples: Sequence[Example],
    calibration: Sequence[Example] | None = None,
    min_confidence: float | None = None,
    trained: dict | None = None,
    regularisation: float = 1.0,
    features: Sequence[str] = FEATURES,
) -> SelectiveModel:
    """The answer model: a logistic regression over every candidate of ``examples`` (which ranks
    candidates), then its logit rescaled on the candidates Newsdesk would answer with among
    ``calibration`` (default: ``examples``), weighted to `UNANSWERABLE_SHARE`, which makes the
    shown probability mean what it says for questions of that kind. ``min_confidence`` None
    chooses it on ``calibration`` (`choose_min_confidence`)."""
    usable = [e for e in examples if e.rank >= 0]
    ranking = fit_selective(
        [e.features for e in usable], [e.right for e in usable], features, regularisation=regularisation
    )
    calibrated_on = calibration if calibration is not None else usable
    answered = chosen(ranking, calibrated_on)
    model = recalibrate(ranking, [e.features for e in answered], [e.right for e in answered], mix_weights(answered))
    threshold = choose_min_confidence(model, calibrated_on) if min_confidence is None else min_confidence
    return model.with_min_confidence(threshold).with_trained(trained or {})
