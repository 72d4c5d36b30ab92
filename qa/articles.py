"""Reading articles from a folder (or one JSON Lines file) into `Article` records.

Formats, by extension:

- ``.txt`` in the customer's format: a ``date YYYY-MM-DD`` header line, then the body; the title
  is derived from the body's first sentence. Any other ``.txt``, and ``.md``: the first line (or
  Markdown heading) is the title, the rest is the text.
- ``.json`` (one record or a list) and ``.jsonl`` (one record a line) with the fields id, title,
  date, source, url (or url_or_origin) and text.
- ``.html`` / ``.htm``: the main text, title and date extracted with trafilatura.

A file's article id is its name without extension; a JSON record's is its ``id`` field. Files that
cannot be read are skipped with a problem naming them; the rest are still read.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "story.md").write_text("# Rain in Spain\\nIt rained in Madrid on Monday.")
>>> reading = read_articles(folder)
>>> [(a.id, a.title, a.text) for a in reading.articles]
[('story', 'Rain in Spain', 'It rained in Madrid on Monday.')]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.schema import Article

ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".html", ".htm")
_DATE_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*\r?\n")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.DOTALL)
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]+(?:\([A-Za-z]+\))?\s+")
TITLE_WORDS = 14


class ArticleError(ValueError):
    """An article file (or one record in it) could not be read."""


@dataclass(frozen=True)
class FolderReading:
    """What reading a folder gave: the articles, and what was skipped and why."""

    articles: tuple[Article, ...]
    problems: tuple[str, ...]


def read_articles(path: str | Path) -> FolderReading:
    """Read every article under ``path`` (a folder, searched recursively, or one article file)."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"no articles folder or file at {root}")
    files = [root] if root.is_file() else sorted(_article_files(root))
    articles: dict[str, Article] = {}
    problems: list[str] = []
    for file in files:
        try:
            found, file_problems = _read_file(file)
        except ArticleError as error:
            problems.append(str(error))
            continue
        problems.extend(file_problems)
        for article in found:
            if article.id in articles:
                problems.append(
                    f"{file}: article id {article.id!r} already read from {articles[article.id].path}; skipped"
                )
                continue
            articles[article.id] = article
    return FolderReading(tuple(articles.values()), tuple(problems))


def _article_files(folder: Path) -> Iterator[Path]:
    # os.walk, unlike Path.rglob on Python 3.11, follows linked folders (an evaluation stages
    # its sources as symbolic links).
    for directory, subfolders, names in os.walk(folder, followlinks=True):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            file = Path(directory) / name
            if not name.startswith(".") and file.suffix.lower() in ARTICLE_SUFFIXES and file.is_file():
                yield file


def _read_text(file: Path) -> str:
    data = file.read_bytes()
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{file}: binary file, not an article; skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(f"{file}: not UTF-8 text (byte {error.start}); skipped") from error


def _read_file(file: Path) -> tuple[list[Article], list[str]]:
    text = _read_text(file)
    suffix = file.suffix.lower()
    if suffix == ".jsonl":
        return _read_jsonl(file, text)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ArticleError(f"{file}: invalid JSON at line {error.lineno}: {error.msg}; skipped") from error
        records = data if isinstance(data, list) else [data]
        articles, problems = [], []
        for number, record in enumerate(records, 1):
            try:
                articles.append(article_from_record(record, file, default_id=file.stem if len(records) == 1 else None))
            except ArticleError as error:
                problems.append(f"{file}: record {number}: {error}")
        return articles, problems
    if suffix in (".html", ".htm"):
        return [_article_from_html(file, text)], []
    return [_article_from_plain_text(file, text, markdown=suffix == ".md")], []


def _read_jsonl(file: Path, text: str) -> tuple[list[Article], list[str]]:
    articles, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            articles.append(article_from_record(json.loads(line), file))
        except json.JSONDecodeError as error:
            problems.append(f"{file}:{number}: malformed JSON ({error.msg}); line skipped")
        except ArticleError as error:
            problems.append(f"{file}:{number}: {error}; line skipped")
    return articles, problems


def article_from_record(record: object, file: Path | None = None, default_id: str | None = None) -> Article:
    """An article from a JSON record with the fields id, title, date, source, url, text."""
    if not isinstance(record, dict):
        raise ArticleError("a record must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleError("the record has no text")
    article_id = record.get("id", default_id)
    if not isinstance(article_id, str | int) or not str(article_id).strip():
        raise ArticleError("the record has no id")
    text = text.strip()
    title = str(record.get("title") or "").strip() or derive_title(text)
    return Article(
        id=str(article_id).strip(),
        title=title,
        text=text,
        date=normalize_date(str(record.get("date") or "")),
        source=str(record.get("source") or "").strip(),
        url=str(record.get("url") or record.get("url_or_origin") or "").strip(),
        path=str(file or ""),
    )


def _article_from_plain_text(file: Path, text: str, markdown: bool) -> Article:
    header = _DATE_HEADER.match(text)
    if header:
        body = text[header.end() :].strip()
        if not body:
            raise ArticleError(f"{file}: the article has a date but no text; skipped")
        return Article(file.stem, derive_title(body), body, normalize_date(header.group(1)), path=str(file))
    stripped = text.strip()
    if not stripped:
        raise ArticleError(f"{file}: empty article; skipped")
    first_line, _, rest = stripped.partition("\n")
    title = _HEADING.sub("", first_line).strip() if markdown else first_line.strip()
    body = rest.strip()
    if not body:
        body, title = stripped, derive_title(stripped)
    return Article(file.stem, title, body, path=str(file))


def _article_from_html(file: Path, html: str) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    document = extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else (extracted or {})
    body = (document.get("text") or "").strip()
    if not body:
        raise ArticleError(f"{file}: no article text found in the HTML; skipped")
    title = (document.get("title") or "").strip() or derive_title(body)
    return Article(
        file.stem,
        title,
        body,
        normalize_date(document.get("date") or ""),
        source=(document.get("sitename") or "").strip(),
        url=(document.get("url") or "").strip(),
        path=str(file),
    )


def derive_title(text: str) -> str:
    """A headline-like title from a body: its first sentence, without a wire dateline, cut short."""
    match = _FIRST_SENTENCE.match(text.strip())
    sentence = " ".join((match.group(1) if match else text).split())
    sentence = _DATELINE.sub("", sentence) or sentence
    words = sentence.split()
    if len(words) > TITLE_WORDS:
        return " ".join(words[:TITLE_WORDS]).rstrip(",;:") + "…"
    return sentence.rstrip(".")


def normalize_date(value: str) -> str:
    """``YYYY-MM-DD`` for a valid ISO date (a longer ISO timestamp is cut to its date), else ""."""
    value = value.strip()[:10]
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return ""
