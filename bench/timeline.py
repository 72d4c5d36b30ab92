"""A timeline of one story (#24): how often the timeline lists only articles of the answer's story,
and how many of the story's dated answers it lists.

    python bench/timeline.py                       # the seed + 336 news articles
    python bench/timeline.py --without-story-rule  # as it was: any dated answer, read as before

Asks each question of ``bench/data/timeline_labels.jsonl`` (hand-labelled by reading the articles
of ../shared/data/news/news.jsonl: ``timeline``, the story's articles that each report their own
dated answer; ``story``, its other articles; ``other``, articles of other stories that retrieval
brings up) over the news index, as Newsdesk answers by default, and prints:

- precision: the share of the articles listed on timelines that belong to the story (``timeline``
  or ``story``); an article the labels do not name counts as wrong, and is printed;
- recall: the share of the ``timeline`` articles listed, over the questions whose story has two or
  more of them (a question answered by one article should get no timeline at all);
- by the labels' ``set``: ``seen``, the questions looked at while the same-story rule was designed;
  ``held out``, labelled before the rule was run on them (two of them then led to its last change);
  ``fresh``, written, labelled and run once after that change.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import stage, table
from qa import Newsdesk
from qa.answers import decision

LABELS = Path(__file__).resolve().parent / "data" / "timeline_labels.jsonl"


@dataclass
class Tally:
    """Timeline entries and story articles counted over some questions."""

    questions: int = 0
    listed: int = 0
    belonging: int = 0
    expected: int = 0  # `timeline` articles of the questions that expect a timeline
    found: int = 0
    mixed: list[str] = field(default_factory=list)  # questions whose timeline lists another story

    def add(self, label: dict, listed: list[str]) -> None:
        """Count one question's timeline (the article ids it lists) against its labels."""
        story = set(label["timeline"]) | set(label["story"])
        self.questions += 1
        self.listed += len(listed)
        self.belonging += sum(article in story for article in listed)
        if len(label["timeline"]) >= 2:
            self.expected += len(label["timeline"])
            self.found += len(set(listed) & set(label["timeline"]))
        if any(article not in story for article in listed):
            self.mixed.append(label["id"])

    @property
    def precision(self) -> float:
        return 100.0 * self.belonging / self.listed if self.listed else 100.0

    @property
    def recall(self) -> str:
        return f"{100.0 * self.found / self.expected:.1f}" if self.expected else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--without-story-rule", action="store_true", help="list any dated answer and read as before the rule"
    )
    args = parser.parse_args()
    if args.without_story_rule:  # the timeline as it was: any dated answer, no passage read for the story
        decision.same_story = lambda *_: True  # type: ignore[assignment]
        decision.could_date = lambda *_: False  # type: ignore[assignment]
    labels = [json.loads(line) for line in args.labels.read_text().splitlines() if line.strip()]
    articles, index_dir = stage("news")
    desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True)
    tallies = {"seen": Tally(), "held out": Tally(), "fresh": Tally(), "all": Tally()}
    for label in labels:
        reply = desk.answer(label["question"])
        listed = [citation.article_id for citation in reply.timeline]
        for name in (label["set"], "all"):
            tallies[name].add(label, listed)
        named = set(label["timeline"]) | set(label["story"]) | set(label["other"])
        entries = ", ".join(
            f"{c.date} {c.quote!r} {c.article_id}" + ("" if c.article_id in named else " (unlabelled)")
            for c in reply.timeline
        )
        retrieved = {passage.article_id for passage in reply.passages}
        missed = [a for a in label["timeline"] if len(label["timeline"]) >= 2 and a not in listed]
        misses = ", ".join(f"{a} ({'read' if a in retrieved else 'not retrieved'})" for a in missed)
        print(f"{label['id']}: {label['question']} -> {reply.text!r}; timeline: {entries or 'none'}")
        if misses:
            print(f"    missed: {misses}")
    rule = "without the same-story rule" if args.without_story_rule else "same-story rule"
    print(f"\nnews ({rule}): {len(labels)} questions of {args.labels.name}")
    rows = [
        [name, t.questions, t.listed, f"{t.precision:.1f}", f"{t.found}/{t.expected}", t.recall, len(t.mixed)]
        for name, t in tallies.items()
    ]
    headers = ["questions", "n", "listed", "precision %", "story answers listed", "recall %", "mixed timelines"]
    print(table(headers, rows))
    if tallies["all"].mixed:
        print("timelines that list another story:", ", ".join(tallies["all"].mixed))


if __name__ == "__main__":
    main()
