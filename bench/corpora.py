"""The benchmark corpora, staged from ../shared as folders of links (nothing is copied)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NEWS = SHARED / "data" / "news"
QUESTIONS = SHARED / "data" / "newsqa" / "dev.jsonl"
CORPORA = {
    "news": [ROOT / "seeds", NEWS / "news.jsonl"],  # the seed + 336 clean articles
    "all": [ROOT / "seeds", NEWS / "news.jsonl", NEWS / "news_more_tosca.jsonl"],  # 5,884 articles
}
RUNS = ROOT / "runs" / "bench"


def stage(corpus: str) -> tuple[Path, Path]:
    """(articles folder, index folder) for a corpus; exits with a message when ../shared is absent."""
    from qa.cli import stage_articles

    sources = CORPORA[corpus]
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        sys.exit(f"benchmark needs {', '.join(missing)} (the read-only ../shared data)")
    articles = stage_articles(sources, RUNS / f"{corpus}-articles")
    return articles, RUNS / f"{corpus}-index"


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table, ready to paste into the README."""
    cells = [[str(h) for h in headers]] + [
        [f"{c:.1f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
