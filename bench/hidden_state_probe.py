"""Does the reader know more than its score says? A Read + Verify style probe (Hu et al., 2019).

    python bench/hidden_state_probe.py

Asks the 1,595 SQuAD v1.1 train questions that the shipped reader never trained on (its last 8
articles, over an archive of their paragraphs and 40 distractor articles) in the four settings of
`newsdesk train-answer-model`, and the 192 news questions over seed + 336 articles in the same
settings. For every candidate answer Newsdesk weighs it keeps the twelve
features of `qa.answers.features` and the reader's last hidden state at [CLS], at the span's first
token and at its last (3 x 384 numbers). A logistic regression over those states (the probe) is
fitted on the candidates of all but the first 447 SQuAD questions; the answer model, with and
without the probe's logit as a thirteenth feature, on those 447 plus the calibration half of the
news questions, exactly as `newsdesk train-answer-model --squad-questions 447` fits it.

Measured 2026-12-03, reading 4 passages as Newsdesk does (18 minutes on 2 cores; the candidates
and states are kept in runs/bench/probe/, so a second run takes seconds); the probe is fitted on
17,227 candidates of 1,148 questions:

| reader's best candidate      | AUC of the score | AUC of the probe |
|------------------------------|------------------|------------------|
| news, answerable vs not      | 0.929            | 0.892            |
| news, right vs wrong         | 0.905            | 0.862            |
| 447 SQuAD, answerable vs not | 0.836            | 0.830            |

| answer model    | news questions    | AUC   | no-answer precision | recall | best recall @85% | ECE   |
|-----------------|-------------------|-------|---------------------|--------|------------------|-------|
| shipped (score) | all 192           | 0.929 | 82.4%               | 58.3%  | 37.5%            | 0.044 |
| shipped (score) | held-out half, 88 | 0.911 | 75.0%               | 54.5%  | 27.3%            | 0.102 |
| score, refitted | all 192           | 0.929 | 82.4%               | 58.3%  | 37.5%            | 0.059 |
| score + probe   | all 192           | 0.893 | 78.6%               | 45.8%  | 37.5%            | 0.058 |
| score + probe   | held-out half, 88 | 0.875 | 60.0%               | 27.3%  | 27.3%            | 0.129 |
| twelve features | all 192           | 0.907 | 71.4%               | 41.7%  | 29.2%            | 0.055 |
| twelve + probe  | all 192           | 0.886 | 73.3%               | 45.8%  | 4.2%             | 0.068 |

(Read over 5 passages, as this bench did until then, the probe's AUC was 0.889 against 0.930 and it
lowered no-answer recall on all 192 from 58.3% to 41.7%.)
(The refit's entity-swapped examples differ a little from `train-answer-model`'s: the bench
draws the names to swap in from all 1,595 questions, not 447. So its ECE differs from the shipped
model's.) A linear read of the reader's hidden state knows
nothing its score does not, and what it learns from made-unanswerable SQuAD questions transfers
to the news questions worse than the score: better abstention needs a better-trained reader.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import torch

from bench.abstention_ceiling import best_recall
from bench.corpora import QUESTIONS, ROOT, SHARED, stage, table
from qa.answer_training import Example, ExampleMaker, Question, fit, news_training_questions, squad_training_archive
from qa.answer_training.examples import SETTINGS, entity_pool
from qa.answers import FEATURES, Candidate, SelectiveModel, expected_calibration_error
from qa.answers.selective import SHIPPED_ANSWER_MODEL
from qa.evaluate import load_news_questions
from qa.newsdesk import Newsdesk
from qa.questions import DEFAULT_TOP_K
from qa.reader_model import SHIPPED_READER_DIR, load_reader_model, sha256_of
from qa.schema import Passage

SQUAD_TRAIN = SHARED / "data" / "squad" / "train-v1.1.reconstructed.json"
ANSWER_MODEL_QUESTIONS = 447  # as the shipped answer model was fitted (`--squad-questions 447`)
WIDTH, STRIDE = 256, 96  # the reader's windows


class SpanRecorder(ExampleMaker):
    """Makes examples as `train-answer-model` does and keeps each candidate's (question, passage
    text, span offsets), in the order of the examples."""

    def __init__(self, desk: Newsdesk) -> None:
        super().__init__(desk)
        self.spans: list[tuple[str, str, int, int]] = []

    def candidates_for(self, asked: str, passages: Sequence[Passage]) -> list[Candidate]:
        made = super().candidates_for(asked, passages)
        self.spans += [(asked, c.passage.text, c.span.start, c.span.end) for c in made]
        return made


def hidden_states(spans: Sequence[tuple[str, str, int, int]], batch: int = 32) -> np.ndarray:
    """The shipped reader's last hidden state at [CLS] and at the span's first and last token, in
    the first window that holds the whole span."""
    loaded = load_reader_model(None)
    encoder, tokenizer = loaded.model.eval().bert, loaded.tokenizer
    rows: list[tuple[list[int], list[int], int, int]] = []
    for question, context, start, end in spans:
        encoding = tokenizer(
            question,
            context,
            truncation="only_second",
            max_length=WIDTH,
            stride=STRIDE,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for window in range(len(encoding["input_ids"])):
            offsets, sides = encoding["offset_mapping"][window], encoding.sequence_ids(window)
            pieces = [(i, a, b) for i, ((a, b), side) in enumerate(zip(offsets, sides, strict=True)) if side == 1]
            first = [i for i, a, b in pieces if a <= start < b]
            last = [i for i, a, b in pieces if a < end <= b]
            if first and last:
                rows.append((encoding["input_ids"][window], encoding["token_type_ids"][window], first[0], last[0]))
                break
        else:
            raise AssertionError(f"no window holds the span {start}:{end}")
    states = np.zeros((len(rows), 3 * encoder.config.hidden_size), dtype=np.float32)
    for begin in range(0, len(rows), batch):
        part = rows[begin : begin + batch]
        width = max(len(ids) for ids, *_ in part)
        ids = torch.zeros((len(part), width), dtype=torch.long)
        types, mask = torch.zeros_like(ids), torch.zeros_like(ids)
        for row, (tokens, segments, _, _) in enumerate(part):
            ids[row, : len(tokens)], types[row, : len(tokens)] = torch.tensor(tokens), torch.tensor(segments)
            mask[row, : len(tokens)] = 1
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            hidden = encoder(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state.float()
        for row, (_, _, first, last) in enumerate(part):
            states[begin + row] = torch.cat([hidden[row, 0], hidden[row, first], hidden[row, last]]).numpy()
    return states


def collect(desk: Newsdesk, questions: Sequence[Question], cache: Path) -> tuple[list[Example], np.ndarray]:
    """Every candidate of ``questions`` in the four settings, with its hidden states; kept in
    ``cache`` (JSON Lines and a NumPy array) and read back from there when present."""
    states_file = cache.with_suffix(".npy")
    if cache.exists() and states_file.exists():
        examples = [Example(**json.loads(line)) for line in cache.read_text(encoding="utf-8").splitlines()]
        return examples, np.load(states_file)
    recorder = SpanRecorder(desk)
    pool = entity_pool(questions)
    examples = [e for q in questions for e in recorder.examples(q, SETTINGS, pool)]
    states = hidden_states(recorder.spans)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(states_file, states)
    cache.write_text("".join(json.dumps(asdict(e)) + "\n" for e in examples), encoding="utf-8")
    return examples, states


def summary(model, examples: Sequence[Example]) -> list[object]:
    """AUC answerable vs not, no-answer precision and recall at the model's threshold, the best
    recall at >= 85% precision, and ECE, over the candidate Newsdesk would answer with."""
    from sklearn.metrics import roc_auc_score

    groups: dict[tuple[str, str], list[Example]] = {}
    for example in examples:
        groups.setdefault((example.question_id, example.setting), []).append(example)
    best = [max(group, key=lambda e: model.probability(e.features)) for group in groups.values()]
    probability = np.array([model.probability(e.features) for e in best])
    answerable, right = np.array([e.answerable for e in best]), np.array([e.right for e in best])
    abstained = probability < model.min_confidence
    precision = (~answerable[abstained]).mean() if abstained.any() else float("nan")
    recall = (~answerable & abstained).sum() / (~answerable).sum()
    ceiling, _ = best_recall(probability, answerable)
    return [
        len(best),
        f"{roc_auc_score(answerable, probability):.3f}",
        f"{precision:.1%}",
        f"{recall:.1%}",
        f"{ceiling:.1%}",
        f"{expected_calibration_error(probability, right):.3f}",
    ]


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    if not SQUAD_TRAIN.exists():
        sys.exit(f"this benchmark needs {SQUAD_TRAIN} (the read-only ../shared data)")
    articles, index_dir = stage("news")
    news_desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True)
    news_desk.sync()
    asked = [
        Question(q.id, q.question, q.answers if q.answerable else (), q.article_id, q.answer_start, q.article_id)
        for q in load_news_questions(QUESTIONS)
    ]
    work = ROOT / "runs" / "bench" / "probe"
    # The cache is the shipped reader's, reading as many passages as Newsdesk does: another delta
    # or another number of passages makes other candidates and states.
    reader = f"{sha256_of(SHIPPED_READER_DIR / 'reader.safetensors')[:10]}-top{DEFAULT_TOP_K}"
    news, news_states = collect(news_desk, asked, work / f"news-{reader}.jsonl")
    squad_questions = squad_training_archive(SQUAD_TRAIN, work / "squad-articles")
    squad_desk = Newsdesk(articles_dir=work / "squad-articles", index_dir=work / "squad-index", auto_sync=False)
    squad_desk.sync()
    squad, squad_states = collect(squad_desk, squad_questions, work / f"squad-{reader}.jsonl")

    answer_model_ids = {q.id for q in squad_questions[:ANSWER_MODEL_QUESTIONS]}
    probe_rows = np.array([e.question_id not in answer_model_ids for e in squad])
    mean, scale = squad_states[probe_rows].mean(axis=0), squad_states[probe_rows].std(axis=0) + 1e-6
    probe = LogisticRegression(C=0.01, max_iter=3000).fit(
        (squad_states[probe_rows] - mean) / scale, [e.right for e, keep in zip(squad, probe_rows, strict=True) if keep]
    )
    questions = len(squad_questions) - ANSWER_MODEL_QUESTIONS
    print(f"probe fitted on {int(probe_rows.sum())} candidates of {questions} questions")

    def with_probe(examples: list[Example], states: np.ndarray) -> list[Example]:
        logits = probe.decision_function((states - mean) / scale)
        return [replace(e, features={**e.features, "probe": float(x)}) for e, x in zip(examples, logits, strict=True)]

    news, squad = with_probe(news, news_states), with_probe(squad, squad_states)
    best_asked = [e for e in news if e.setting == "asked" and e.rank == 0]
    held = [e for e in squad if e.question_id in answer_model_ids and e.rank == 0]
    rows = []
    for name, examples, label in (
        ("news, answerable vs not", best_asked, lambda e: e.answerable),
        ("news, right vs wrong", best_asked, lambda e: e.right),
        ("447 SQuAD, answerable vs not", held, lambda e: e.answerable),
    ):
        labels = [label(e) for e in examples]
        aucs = [roc_auc_score(labels, [e.features[feature] for e in examples]) for feature in ("score", "probe")]
        rows.append([name, *(f"{auc:.3f}" for auc in aucs)])
    print(table(["reader's best candidate", "AUC of the score", "AUC of the probe"], rows))

    calibration = {q.id for q in news_training_questions(QUESTIONS)}
    news_training = [e for e in news if e.question_id in calibration]
    squad_training = [e for e in squad if e.question_id in answer_model_ids]
    left_out = [e for e in news if e.setting == "left-out" or (e.setting == "asked" and e.answerable)]
    results = []
    fitted = [("shipped (score alone)", SelectiveModel.load(SHIPPED_ANSWER_MODEL))]
    for label, features in (
        ("score, refitted", ("score",)),
        ("score + probe", ("score", "probe")),
        ("twelve features", FEATURES),
        ("twelve + probe", (*FEATURES, "probe")),
    ):
        fitted.append((label, fit(squad_training + news_training, news_training, features=features)))
    for label, model in fitted:
        results.append([label, "news, all 192", *summary(model, [e for e in news if e.setting == "asked"])])
        held_out = [e for e in news if e.setting == "asked" and e.question_id not in calibration]
        results.append([label, "news, held-out half", *summary(model, held_out)])
        results.append([label, "news, own article left out", *summary(model, left_out)])
    headers = ["answer model", "questions", "n", "AUC", "no-answer precision", "recall", "best recall @85%", "ECE"]
    print(table(headers, results))


if __name__ == "__main__":
    main()
