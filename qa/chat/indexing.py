"""Building the archive's index beside a running chat, and what the page says meanwhile."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from qa.newsdesk import Newsdesk

if TYPE_CHECKING:
    from qa.index import SyncProgress

log = logging.getLogger(__name__)


class Indexing:
    """The state of the archive's index as the page shows it: built, or being built (and how far)."""

    def __init__(self, announce_every: float = 5.0) -> None:
        self.ready = threading.Event()
        self.progress = ""
        self.error = ""
        self.announce_every = announce_every  # seconds between progress lines on the terminal
        self._announced = 0.0

    def tell(self, state: SyncProgress) -> None:
        self.progress = state.describe()
        now = time.monotonic()
        if now - self._announced >= self.announce_every or state.articles_done == state.articles_total:
            self._announced = now
            log.warning("indexing: %s", self.progress)

    def build(self, desk: Newsdesk) -> None:
        """Sync the index and load the models (in a thread, while the page already answers)."""
        try:
            self.progress = "reading the articles folder"
            report = desk.sync(on_progress=self.tell)
            for problem in report.problems:
                log.warning("skipped: %s", problem)
            self.progress = "all passages embedded; loading the models"
            desk.warm_up()
            log.warning("index ready: %s", report.summary())
        except Exception as error:  # shown on the page and the terminal instead of a dead thread
            self.error = str(error)
            log.error("the index could not be built: %s", error)
        finally:
            self.ready.set()

    def problem(self) -> str | None:
        """Why questions cannot be answered yet, or None."""
        if self.error:
            return "The index could not be built; the server's terminal says why."
        if not self.ready.is_set():
            return f"The archive is still being indexed ({self.progress}). Ask again in a moment."
        return None
