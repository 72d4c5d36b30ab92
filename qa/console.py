"""Terminal manners shared by the command line and the chat's server: no per-tensor loading bars,
and log lines without decoration."""

from __future__ import annotations

import logging


def quiet_model_loading() -> None:
    """No per-tensor 'Loading weights' bars from transformers on a user's terminal."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()


def show_progress_logs(verbose: bool = False) -> None:
    """Newsdesk's warnings (and with ``verbose`` its progress) on standard error, as plain lines."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
