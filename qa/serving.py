"""Starting the chat server safely: ``python app.py`` and ``newsdesk serve`` share these options.

The chat listens on 127.0.0.1 unless told otherwise. On any other address it refuses to start
without authentication: there is no anonymous access to an archive over a network. ``--read-only``
serves questions only: no upload panel and no ``/add_articles`` endpoint at all.

>>> parser = argparse.ArgumentParser()
>>> add_serve_arguments(parser)
>>> check_serving(parser.parse_args(["--host", "0.0.0.0"]), environ={})
Traceback (most recent call last):
...
qa.serving.ServingError: refusing to serve on 0.0.0.0 without authentication: ...
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from qa.answers.selective import shipped_min_confidence
from qa.errors import UsageError
from qa.serve_options import ServeOptions
from qa.uploads import MAX_UPLOAD_BYTES

AUTH_ENV = "NEWSDESK_AUTH"  # "user:password", or several separated by commas


class ServingError(UsageError):
    """The server cannot start as asked; the message says what to change."""


def add_folder_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", help="articles folder (default: seeds/ or $NEWSDESK_ARTICLES)")
    parser.add_argument("--index", help="index folder (default: index/ or $NEWSDESK_INDEX)")
    parser.add_argument(
        "--follow-links",
        action="store_true",
        help="also read symbolic links that lead out of the articles folder (refused by default)",
    )


def probability(value: str) -> float:
    """An argparse type: a number from 0 to 1."""
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not a probability between 0 and 1")
    return number


def add_answer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--min-confidence",
        type=probability,
        metavar="P",
        help="answer only when the probability that the answer is right is at least P (0-1; default: "
        f"the answer model's own, {shipped_min_confidence():g} for the shipped one); below it Newsdesk says it "
        "found nothing",
    )


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    add_folder_arguments(parser)
    add_answer_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument(
        "--auth",
        action="append",
        metavar="USER:PASSWORD",
        help=f"require this login (repeatable); or set ${AUTH_ENV}, or use --auth-file",
    )
    parser.add_argument("--auth-file", help="a file with one USER:PASSWORD a line")
    parser.add_argument("--read-only", action="store_true", help="answer questions only: no uploads")
    parser.add_argument("--max-upload-mb", type=float, default=MAX_UPLOAD_BYTES / 1e6, help="largest upload, per file")
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=ServeOptions.max_sessions,
        help="conversations whose state the server keeps (the oldest are forgotten; memory stays bounded)",
    )


def parse_logins(entries: Sequence[str], where: str) -> tuple[tuple[str, str], ...]:
    """``user:password`` entries as pairs.

    >>> parse_logins(["ana:s3cret", "bo:pw:with:colons"], "--auth")
    (('ana', 's3cret'), ('bo', 'pw:with:colons'))
    """
    logins = []
    for entry in entries:
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        user, colon, password = entry.partition(":")
        if not colon or not user.strip() or not password:
            raise ServingError(f"{where}: a login must look like USER:PASSWORD (got {user.strip() or '?'}:…)")
        logins.append((user.strip(), password))
    return tuple(logins)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0"), is_loopback("::1")
    (True, True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_serving(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> ServeOptions:
    """The server's options, or `ServingError` when they would expose the archive unsafely."""
    logins = list(parse_logins(args.auth or [], "--auth"))
    if args.auth_file:
        try:
            lines = Path(args.auth_file).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ServingError(f"cannot read --auth-file: {error.strerror or error}") from error
        logins += parse_logins(lines, "--auth-file")
    if environ.get(AUTH_ENV):
        logins += parse_logins(environ[AUTH_ENV].split(","), f"${AUTH_ENV}")
    if not is_loopback(args.host) and not logins:
        raise ServingError(
            f"refusing to serve on {args.host} without authentication: anyone on the network could read "
            f"the archive{'' if args.read_only else ' and add to it'}. Give a login with --auth USER:PASSWORD, "
            f"--auth-file FILE or ${AUTH_ENV}, or serve on 127.0.0.1"
        )
    if not 0 <= args.port <= 65535:
        raise ServingError(f"--port {args.port} is not a port: give one from 1 to 65535, or 0 for any free one")
    if args.max_upload_mb <= 0:
        raise ServingError("--max-upload-mb must be more than 0")
    if args.max_sessions < 1:
        raise ServingError("--max-sessions must be at least 1")
    port = args.port or free_port(args.host)  # 0: any free port (Gradio itself fails on 0)
    return ServeOptions(
        args.host, port, tuple(logins), args.read_only, int(args.max_upload_mb * 1e6), args.max_sessions
    )


def free_port(host: str) -> int:
    """A port that is free on ``host`` now, chosen by the system."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve(args: argparse.Namespace) -> int:
    """Check the options, open the archive and serve the chat until interrupted."""
    from qa.console import quiet_model_loading, show_progress_logs
    from qa.newsdesk import ArticlesFolderError, Newsdesk

    try:
        options = check_serving(args)
    except ServingError as error:
        print(f"newsdesk: {error}", file=sys.stderr)
        return 2
    show_progress_logs()
    quiet_model_loading()
    desk = Newsdesk(
        articles_dir=args.articles,
        index_dir=args.index,
        follow_links=args.follow_links,
        min_confidence=args.min_confidence,
    )
    try:
        desk.check_articles_folder()
    except ArticlesFolderError as error:
        print(f"newsdesk: {error}", file=sys.stderr)
        return 2
    from qa.chat import launch  # Gradio loads only when a server starts

    launch(desk, options)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python app.py [options]``."""
    parser = argparse.ArgumentParser(description="Newsdesk's browser chat (http://127.0.0.1:7860)")
    add_serve_arguments(parser)
    return serve(parser.parse_args(argv))
