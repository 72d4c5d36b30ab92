"""Building the archive's index beside a running chat, and what the page says meanwhile."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from qa.newsdesk import Newsdesk

if TYPE_CHECKING:
    from qa.index import SyncProgress, SyncReport

log = logging.getLogger(__name__)


# Passages a new archive is answerable from before the rest is embedded: about 8 s of fp32
# embedding on a 2-core AVX2 laptop (python bench/serving.py --first-start).
FIRST_CHUNKS = 256


class Indexing:
    """The state of the archive's index as the page shows it: built, being built (and how far),
    or answering from a first part while the rest is built."""

    def __init__(self, announce_every: float = 5.0, first_chunks: int | None = FIRST_CHUNKS) -> None:
        self.ready = threading.Event()
        self.answering = threading.Event()  # questions are answered (from part of the archive, or all)
        self.progress = ""
        self.error = ""
        self.announce_every = announce_every  # seconds between progress lines on the terminal
        self.first_chunks = first_chunks
        self.first_part: tuple[int, int] = (0, 0)  # (articles answering, articles being added) meanwhile
        self._announced = 0.0

    def tell(self, state: SyncProgress) -> None:
        self.progress = state.describe()
        now = time.monotonic()
        if now - self._announced >= self.announce_every or state.articles_done == state.articles_total:
            self._announced = now
            log.warning("indexing: %s", self.progress)

    def build(self, desk: Newsdesk) -> None:
        """Sync the index and load the models (in a thread, while the page already answers). A
        new index answers from its first `first_chunks` passages while the rest are embedded."""
        try:
            self.progress = "reading the articles folder"
            report = desk.sync(on_progress=self.tell, first_chunks=None if desk.has_index() else self.first_chunks)
            self._log_problems(report)
            if report.remaining:
                self.progress = "loading the models"
                desk.warm_up()
                self.first_part = (report.added, report.remaining)
                self.answering.set()
                log.warning("answering from %d article(s) while %d more are indexed", report.added, report.remaining)
                report = desk.sync(on_progress=self.tell)
                self._log_problems(report)
            self.progress = "all passages embedded; loading the models"
            desk.warm_up()
            log.warning("index ready: %s", report.summary())
        except Exception as error:  # shown on the page and the terminal instead of a dead thread
            self.error = str(error)
            log.error("the index could not be built: %s", error)
        finally:
            self.ready.set()
            self.answering.set()

    @staticmethod
    def _log_problems(report: SyncReport) -> None:
        for problem in report.problems:
            log.warning("skipped: %s", problem)

    def problem(self) -> str | None:
        """Why questions cannot be answered yet, or None."""
        if self.error:
            return "The index could not be built; the server's terminal says why."
        if not (self.answering.is_set() or self.ready.is_set()):
            return f"The archive is still being indexed ({self.progress}). Ask again in a moment."
        return None

    def partial(self) -> bool:
        """Whether questions are answered from part of the archive while the rest is indexed."""
        return self.answering.is_set() and not self.ready.is_set()
