"""Training data for the answer-or-abstain model, and fitting it (`newsdesk train-answer-model`):
`examples` (candidates asked in four settings and labelled), `fitting` (the model and its
threshold), `data_sets` (the SQuAD and news questions asked)."""

from qa.answer_training.data_sets import news_training_questions, squad_training_archive
from qa.answer_training.examples import SETTINGS, Example, ExampleMaker, Question, make_examples
from qa.answer_training.fitting import (
    NO_ANSWER_PRECISION,
    UNANSWERABLE_SHARE,
    choose_min_confidence,
    chosen,
    fit,
    mix_weights,
)

__all__ = [
    "NO_ANSWER_PRECISION",
    "SETTINGS",
    "UNANSWERABLE_SHARE",
    "Example",
    "ExampleMaker",
    "Question",
    "choose_min_confidence",
    "chosen",
    "fit",
    "make_examples",
    "mix_weights",
    "news_training_questions",
    "squad_training_archive",
]
