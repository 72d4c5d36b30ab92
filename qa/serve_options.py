"""How the chat server runs: what `qa.serving` checks from the command line and `qa.chat` launches
with. Its own module so that the chat and the command line that starts it depend on it, not on
each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    auth: tuple[tuple[str, str], ...]  # empty: no login
    read_only: bool
    max_upload_bytes: int
    max_sessions: int = 50
