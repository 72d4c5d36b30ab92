"""What the page shows beside the conversation: status, filters, the source and the archive."""

from __future__ import annotations

import time
from collections.abc import Sequence

from qa.chat.indexing import Indexing
from qa.newsdesk import Newsdesk
from qa.questions import QuestionError, check_filters
from qa.render import article_html, escape_markdown, passage_html
from qa.schema import Answer

UNDATED_RULE = "Articles without a date are left out while a date filter is on."


def status_line(desk: Newsdesk, indexing: Indexing) -> str:
    if indexing.error:  # the details (with server paths) are on the server's terminal
        return "**Index not available**: it could not be built; the server's terminal says why."
    if indexing.partial():
        answering, adding = indexing.first_part
        return (
            f"**Answering from {answering:,} of {answering + adding:,} articles** while the rest are indexed: "
            f"{escape_markdown(indexing.progress)}…"
        )
    if not indexing.ready.is_set():
        return f"**Building the index**: {escape_markdown(indexing.progress)}…"
    status = desk.status(check_stale=False)
    updated = time.strftime("%d %b %Y %H:%M", time.localtime(status.updated)) if status.updated else "never"
    return f"**{status.articles:,}** articles · **{status.chunks:,}** passages · updated {updated}"


def filter_note(date_from: str | None, date_to: str | None, source: str | None = None) -> str:
    """What the filters do, or what is wrong with them, shown under the fields.

    >>> filter_note("", "", "AP")
    '**Filter on**: only articles from AP.'
    """
    try:
        filters = check_filters(date_from, date_to, source)
    except QuestionError as error:
        return f'<span class="filter-error" role="alert">{escape_markdown(str(error))}</span>'
    if not filters.active:
        return "No filter: every article can answer."
    undated = f" {UNDATED_RULE}" if filters.date_from or filters.date_to else ""
    return f"**Filter on**: only articles {escape_markdown(filters.describe())}.{undated}"


def source_panel(reply: Answer) -> str:
    citation = reply.citation
    if not reply.found or citation is None:
        return ""
    return passage_html(citation.passage, (citation.start, citation.end))


def article_panel(desk: Newsdesk, reply: Answer) -> str:
    citation = reply.citation
    if not reply.found or citation is None:
        return ""
    article = desk.article(citation.article_id)
    if article is None:
        return ""
    return article_html(article.title, article.date, article.url, article.text, (citation.start, citation.end))


def other_passages(reply: Answer) -> str:
    cited = reply.citation.passage.chunk_id if reply.found and reply.citation else None
    shown = [passage_html(p) for p in reply.passages if p.chunk_id != cited]
    return "".join(shown) or "<p>No other passages.</p>"


def article_rows(desk: Newsdesk, query: str | None = "") -> list[list[str]]:
    """The archive's articles (title, date, id), filtered by words of ``query`` (in those or the
    source)."""
    words = (query or "").lower().split()
    rows = []
    for entry in desk.list_articles():
        copy = f" (same text as {entry['duplicate_of']})" if entry.get("duplicate_of") else ""
        row = [entry["title"] + copy, entry["date"] or "undated", entry["id"]]
        if all(any(word in cell.lower() for cell in (*row, entry["source"])) for word in words):
            rows.append(row)
    return rows


def archive_note(rows: Sequence[object], query: str | None) -> str:
    """What the archive list shows, in words: a search that matches nothing says so instead of
    showing bare column headers.

    >>> archive_note([], "volcano"), archive_note([["t", "d", "i"]], ""), archive_note([], "")
    ('No article matches “volcano”.', '1 article.', 'The archive is empty.')
    """
    query = (query or "").strip()
    if not rows:
        return f"No article matches “{escape_markdown(query)}”." if query else "The archive is empty."
    return f"{len(rows):,} article{'s' if len(rows) != 1 else ''}" + (
        f" match “{escape_markdown(query)}”." if query else "."
    )


def removal_message(article_id: str, title: str, copies: Sequence[str]) -> str:
    """What happened to the user's article, in their terms.

    >>> removal_message("a1", "Bridge reopens", [])[:62]
    'Removed “Bridge reopens” (a1): it no longer answers questions.'
    >>> removal_message("a1", "Bridge reopens", ["a1-2"]).splitlines()[1][:48]
    'Its copy a1-2 (the same text) is still in the ar'
    """
    line = (
        f"Removed “{escape_markdown(title)}” ({escape_markdown(article_id)}): it no longer answers questions. "
        "Its file is kept in the articles folder's .removed/, from where it can be put back."
    )
    if copies:
        many = len(copies) > 1
        names = ", ".join(escape_markdown(c) for c in copies)
        line += (
            f"\nIts cop{'ies' if many else 'y'} {names} (the same text) {'are' if many else 'is'} still in the "
            f"archive and answer{'' if many else 's'} in its place: remove {'them' if many else 'it'} too to take "
            "the story out."
        )
    return line
