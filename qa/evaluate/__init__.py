"""Measuring Newsdesk: the reader on SQuAD, retrieval recall@k, and answers end to end.

Every evaluator takes the data, runs the real pipeline and returns a plain report; the CLI prints
it as a table or JSON. Retrieval and end-to-end evaluators take lists of k, as
sentence-transformers' evaluators do.

One module per evaluator (`retrieval`, `end_to_end`, `reader`, `leave_out`) over the questions of
`questions`; this package re-exports what the CLI, the benchmarks and the tests use.
"""

from qa.evaluate.end_to_end import EndToEndReport, QuestionResult, evaluate_end_to_end
from qa.evaluate.leave_out import LeaveOutReport, abstention_curve, evaluate_leave_out
from qa.evaluate.measures import DEFAULT_KS, percentile
from qa.evaluate.questions import NewsQuestion, load_news_questions, split_by_article
from qa.evaluate.reader import ReaderReport, evaluate_reader
from qa.evaluate.retrieval import RetrievalReport, evaluate_retrieval

__all__ = [
    "DEFAULT_KS",
    "EndToEndReport",
    "LeaveOutReport",
    "NewsQuestion",
    "QuestionResult",
    "ReaderReport",
    "RetrievalReport",
    "abstention_curve",
    "evaluate_end_to_end",
    "evaluate_leave_out",
    "evaluate_reader",
    "evaluate_retrieval",
    "load_news_questions",
    "percentile",
    "split_by_article",
]
