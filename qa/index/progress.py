"""How far a sync is, and what it did: told to the terminal, the chat and `newsdesk index`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncProgress:
    """How far a sync is: told after each batch, before the first, and while a batch embeds."""

    articles_done: int
    articles_total: int
    chunks_done: int
    seconds: float
    # Articles chunked so far and their passages (the batch being embedded included): the
    # passages still to come are estimated from them, since a batch holds up to 16,384 passages
    # (the whole 337-article demo archive) and no article is done until its batch commits.
    articles_chunked: int = 0
    chunks_chunked: int = 0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_done / self.seconds if self.seconds > 0 else 0.0

    @property
    def chunks_expected(self) -> int | None:
        """The passages the whole sync will embed, estimated from the articles chunked so far."""
        if not self.articles_chunked:
            return None
        if self.articles_chunked >= self.articles_total:
            return self.chunks_chunked
        return round(self.chunks_chunked / self.articles_chunked * self.articles_total)

    @property
    def eta_seconds(self) -> float | None:
        expected = self.chunks_expected
        if not self.chunks_done or not expected or self.chunks_done >= expected:
            return None
        return self.seconds / self.chunks_done * (expected - self.chunks_done)

    def describe(self) -> str:
        """How far, for people.

        >>> SyncProgress(0, 337, 1200, 10.0, articles_chunked=337, chunks_chunked=4000).describe()
        '1,200 of 4,000 passages embedded (120 per second, about 23 s left); 0 of 337 articles done'
        >>> SyncProgress(250, 1000, 1200, 10.0, articles_chunked=250, chunks_chunked=1200).describe()
        '1,200 of ~4,800 passages embedded (120 per second, about 30 s left); 250 of 1,000 articles done'
        >>> SyncProgress(0, 337, 0, 0.5).describe()
        'reading and splitting 337 articles into passages'
        """
        expected = self.chunks_expected
        if expected is None:
            return f"reading and splitting {self.articles_total:,} articles into passages"
        about = "" if self.articles_chunked >= self.articles_total else "~"
        line = f"{self.chunks_done:,} of {about}{expected:,} passages embedded"
        details = [f"{self.chunks_per_second:,.0f} per second"] if self.chunks_done else []
        if (eta := self.eta_seconds) is not None:
            details.append(f"about {eta:.0f} s left" if eta < 60 else f"about {eta / 60:.0f} min left")
        line += f" ({', '.join(details)})" if details else ""
        return line + f"; {self.articles_done:,} of {self.articles_total:,} articles done"


ProgressCallback = Callable[[SyncProgress], None]


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    duplicates: int
    chunks_embedded: int
    rebuilt: str  # why the index was rebuilt, or ""
    problems: tuple[str, ...]
    seconds: float
    merged: int = 0  # segments folded together
    # Articles left for the next sync, which resumes where this one stopped (a first part of a
    # new index, `first_chunks`): published and answerable, the rest still to embed.
    remaining: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt or self.merged)

    def summary(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.updated} updated",
            f"{self.removed} removed",
            f"{self.unchanged} unchanged",
        ]
        line = ", ".join(parts) + f" ({self.chunks_embedded} chunks embedded, {self.seconds:.1f} s)"
        if self.duplicates:
            line += f"; {self.duplicates} duplicate article(s) indexed once"
        if self.merged:
            line += f"; {self.merged} segments merged"
        if self.remaining:
            line += f"; {self.remaining} article(s) left for the next sync"
        if self.rebuilt:
            line = f"rebuilt: {self.rebuilt}\n{line}"
        return line


def print_progress(state: SyncProgress) -> None:
    print(f"\r{state.describe()}   ", end="" if state.articles_done < state.articles_total else "\n", file=sys.stderr)
