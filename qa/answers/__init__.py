"""Rules about answers, in one place: what is never an answer (`rules`), the evidence for a
candidate answer (`features`, `kinds`, and the asked-words evidence of `asked`), how likely it is
to be right (`selective`), how sure it is shown to be (`confidence`), the decision to answer or
abstain, with corroboration and timelines (`decision`), what is one story (`story`), when a
question is too broad to answer with a span (`vague`), what a question that asks yes or no
gets instead of an answer (`yes_no`), and how a figure is quoted, with its hedge (`quoting`)."""

from qa.answers.decision import SPANS_READ, Decision, Judged, decide
from qa.answers.features import FEATURES, Candidate, candidates, same_answer
from qa.answers.kinds import question_kind
from qa.answers.rules import answers_nothing, in_dateline
from qa.answers.selective import (
    Judge,
    MarginJudge,
    SelectiveModel,
    chance_calibration_error,
    expected_calibration_error,
    fit_selective,
    recalibrate,
    reliability,
)

__all__ = [
    "FEATURES",
    "SPANS_READ",
    "Candidate",
    "Decision",
    "Judge",
    "Judged",
    "MarginJudge",
    "SelectiveModel",
    "answers_nothing",
    "candidates",
    "chance_calibration_error",
    "decide",
    "expected_calibration_error",
    "fit_selective",
    "in_dateline",
    "question_kind",
    "recalibrate",
    "reliability",
    "same_answer",
]
