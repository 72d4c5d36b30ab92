"""Reading articles from a folder (or one JSON Lines file) into `Article` records.

Formats, by extension:

- ``.txt`` and ``.md`` may open with a small front matter (`qa.front_matter`): ``Date:``,
  ``Source:``, ``URL:`` and ``Title:`` lines, or a ``---`` block of them; the customer's format is
  one ``date YYYY-MM-DD`` line, then the body, whose first sentence gives the title. Without front
  matter, the first line (or Markdown heading) is the title and the rest is the text.
- ``.json`` (one record or a list) and ``.jsonl`` (one record a line) with the fields id, title,
  date, source, url (or url_or_origin) and text.
- ``.html`` / ``.htm``: the main text, title and date extracted with trafilatura.

A file's article id is its name without extension; a JSON record's is its ``id`` field. Files that
cannot be read (not UTF-8, binary, malformed, too large, or failing in the HTML extractor) are
skipped with a problem naming them by their path inside the folder; the rest are still read.
Symbolic links that lead out of the folder are refused unless ``follow_links`` is set: a link to
``/etc/passwd`` dropped into a served folder must not become a quotable article.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "story.md").write_text("# Rain in Spain\\nIt rained in Madrid on Monday.")
>>> reading = read_articles(folder)
>>> [(a.id, a.title, a.text) for a in reading.articles]
[('story', 'Rain in Spain', 'It rained in Madrid on Monday.')]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from qa.errors import UsageError
from qa.front_matter import HEADING, front_matter
from qa.schema import Article

ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".html", ".htm")
COLLECTION_SUFFIXES = (".json", ".jsonl")  # files that may hold many articles
# Size limits. One article file (.txt, .md, .html) of 5 MB is already ~7,000 chunks (42 s of
# embedding here); a 50 MB one took 8.6 min and 3.8 GB. Collections hold whole archives
# (news_more_tosca.jsonl: 5,547 articles in 14.6 MB), so they get more room, but each of their
# articles obeys the per-article limit on text.
MAX_ARTICLE_FILE_BYTES = 5_000_000
MAX_COLLECTION_FILE_BYTES = 500_000_000
MAX_ARTICLE_CHARS = 5_000_000
_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.DOTALL)
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]+(?:\([A-Za-z]+\))?\s+")
TITLE_WORDS = 14


class ArticleError(UsageError):
    """An article file (or one record in it) could not be read."""


class ArticleUnreadable(ArticleError):
    """The file system refused the read (permissions, an I/O error): it may work next time, so the
    index does not remember the file as read."""


@dataclass(frozen=True)
class FolderReading:
    """What reading a folder gave: the articles, and what was skipped and why."""

    articles: tuple[Article, ...]
    problems: tuple[str, ...]


def read_articles(path: str | Path, follow_links: bool = False) -> FolderReading:
    """Read every article under ``path`` (a folder, searched recursively, or one article file).

    ``follow_links`` also reads symbolic links that lead out of the folder (an evaluation stages
    its sources that way); by default they are skipped with a problem."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"no articles folder or file at {root}")
    base = root.parent if root.is_file() else root
    listing = FolderListing((root,)) if root.is_file() else article_files(root, follow_links)
    files, problems = listing.files, list(listing.refused)
    articles: dict[str, Article] = {}
    for file in files:
        name = display_path(file, base)
        try:
            found, file_problems = read_article_file(file, name)
        except ArticleError as error:
            problems.append(str(error))
            continue
        problems.extend(file_problems)
        for article in found:
            if article.id in articles:
                first = articles[article.id].path
                problems.append(f"{name}: article id {article.id!r} already read from {first}; skipped")
                continue
            # Where it came from, inside the folder: the folder can move, and messages show no
            # server paths.
            articles[article.id] = dataclasses.replace(article, path=name)
    return FolderReading(tuple(articles.values()), tuple(problems))


def display_path(file: Path, base: Path) -> str:
    """``file`` as it is named inside the articles folder: messages never show server paths.

    >>> display_path(Path("/srv/news/2024/a.txt"), Path("/srv/news"))
    '2024/a.txt'
    """
    try:
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.name


@dataclass(frozen=True)
class FolderListing:
    """The article files under a folder (sorted), what was refused on the way and why, and the
    folders that could not be listed (their files are not known to be gone: a sync keeps what it
    indexed from them)."""

    files: tuple[Path, ...]
    refused: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()


def article_files(folder: Path, follow_links: bool) -> FolderListing:
    """The article files under ``folder``, and the links and folders refused on the way.

    Each folder is read once, however many links lead to it: a link to a parent folder (or two
    links to the folder itself) made the walk read the tree 40 times, until the system's link
    limit stopped it. Folders are told apart by (device, inode), as ``find`` and rsync do."""
    walk = _Walk(folder, follow_links)
    for directory, subfolders, names in os.walk(folder, followlinks=True, onerror=walk.unreadable):
        here = Path(directory)
        subfolders[:] = [name for name in sorted(subfolders) if walk.enter(here / name)]
        for name in names:
            walk.consider(here / name)
    return FolderListing(tuple(sorted(walk.files)), tuple(walk.refused), tuple(walk.unreadable_folders))


class _Walk:
    """What `article_files` keeps and refuses while it walks a folder."""

    def __init__(self, folder: Path, follow_links: bool) -> None:
        self.folder = folder
        self.inside = folder.resolve()
        self.follow_links = follow_links
        self.files: list[Path] = []
        self.refused: list[str] = []
        self.seen = {_folder_key(folder)}
        self.unreadable_folders: list[str] = []

    def enter(self, path: Path) -> bool:
        """Whether to walk into the folder ``path`` (links out of the folder and folders already
        walked are refused)."""
        if path.name.startswith("."):
            return False
        shown = display_path(path, self.folder)
        try:
            outside = not self.follow_links and not _stays_inside(path, self.inside)
        except OSError as error:
            self.unreadable(OSError(error.errno, error.strerror, str(path)))
            return False
        if outside:
            self.refused.append(f"{shown}: a link out of the articles folder; skipped")
            return False
        key = _folder_key(path)
        if key is None:
            return True  # os.walk reports it as unreadable
        if key in self.seen:
            self.refused.append(f"{shown}: a link to a folder that is already read; skipped")
            return False
        self.seen.add(key)
        return True

    def consider(self, file: Path) -> None:
        if file.name.startswith(".") or file.suffix.lower() not in ARTICLE_SUFFIXES:
            return
        try:
            if not self.follow_links and not _stays_inside(file, self.inside):
                self.refused.append(
                    f"{display_path(file, self.folder)}: a link out of the articles folder; skipped "
                    "(copy the file in instead)"
                )
                return
            if file.is_file():
                self.files.append(file)
        except OSError as error:  # listed but not reachable (a folder readable but not searchable, EIO)
            self.unreadable(OSError(error.errno, error.strerror, str(file.parent)))

    def unreadable(self, error: OSError) -> None:
        """A folder that could not be listed (os.walk's report) or whose entries could not be
        reached: its files are not known to be gone."""
        shown = display_path(Path(error.filename), self.folder) if error.filename else "a folder"
        if shown in self.unreadable_folders:
            return
        self.unreadable_folders.append(shown)
        self.refused.append(
            f"{shown}/: could not be read ({error.strerror or type(error).__name__}); "
            "the articles indexed from it are kept until it can be read"
        )


def _folder_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _stays_inside(path: Path, folder: Path) -> bool:
    if not path.is_symlink():
        return True
    return path.resolve().is_relative_to(folder)


def size_limit(file: Path) -> int:
    """The largest file Newsdesk reads with this name's format."""
    return MAX_COLLECTION_FILE_BYTES if file.suffix.lower() in COLLECTION_SUFFIXES else MAX_ARTICLE_FILE_BYTES


def read_article_file(file: Path, name: str | None = None) -> tuple[list[Article], list[str]]:
    """The articles in one file, and problems with parts of it; `ArticleError` when none of it can
    be read. ``name`` is how messages call the file (default: its name). Nothing a file holds can
    escape as another exception: one bad file never stops a sync."""
    name = name or file.name
    try:
        size = file.stat().st_size
        if size > size_limit(file):
            raise ArticleError(
                f"{name}: {size / 1e6:.1f} MB is over the {size_limit(file) / 1e6:.0f} MB limit for "
                f"{file.suffix or 'such'} files; skipped (split it into smaller files)"
            )
        return _read_file(file, name, _read_text(file, name))
    except ArticleError:
        raise
    except RecursionError as error:
        raise ArticleError(f"{name}: nested too deeply to read; skipped") from error
    except OSError as error:
        # strerror, not str(error): that names the file by its server path.
        reason = error.strerror or type(error).__name__
        raise ArticleUnreadable(f"{name}: could not be read ({reason}); skipped") from error
    except Exception as error:  # a parser's failure on one file is that file's problem
        raise ArticleError(f"{name}: could not be read ({type(error).__name__}: {error}); skipped") from error


def _read_text(file: Path, name: str) -> str:
    data = file.read_bytes()
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{name}: binary file, not an article; skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(f"{name}: not UTF-8 text (byte {error.start}); skipped") from error


def _read_file(file: Path, name: str, text: str) -> tuple[list[Article], list[str]]:
    suffix = file.suffix.lower()
    problems: list[str] = []
    if suffix == ".jsonl":
        articles = _read_jsonl(file, name, text, problems)
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ArticleError(f"{name}: invalid JSON at line {error.lineno}: {error.msg}; skipped") from error
        records = data if isinstance(data, list) else [data]
        articles = []
        for number, record in enumerate(records, 1):
            where = f"{name}: record {number}"
            try:
                default_id = file.stem if len(records) == 1 else None
                articles.append(article_from_record(record, file, default_id, problems, where))
            except ArticleError as error:
                problems.append(f"{where}: {error}")
    elif suffix in (".html", ".htm"):
        articles = [_article_from_html(file, name, text, problems)]
    else:
        articles = [_article_from_plain_text(file, name, text, suffix == ".md", problems)]
    for article in articles:
        _check_length(article, name)
    return articles, problems


def _check_length(article: Article, name: str) -> None:
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise ArticleError(
            f"{name}: article {article.id!r} has {len(article.text):,} characters, over the "
            f"{MAX_ARTICLE_CHARS:,} limit; skipped"
        )


def _read_jsonl(file: Path, name: str, text: str, problems: list[str]) -> list[Article]:
    articles = []
    for number, line in enumerate(json_lines(text), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            article = article_from_record(json.loads(line), file, None, problems, where)
            _check_length(article, where)
            articles.append(article)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: malformed JSON ({error.msg}); line skipped")
        except RecursionError:
            problems.append(f"{where}: nested too deeply to read; line skipped")
        except ArticleError as error:
            problems.append(f"{where}: {error}; line skipped")
    return articles


def json_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of a JSON Lines text, split at "\\n" (and "\\r\\n") only. str.splitlines() also
    splits at U+2028, U+2029, U+0085 and other breaks that JSON strings may hold unescaped: a
    record holding one was cut in two, and its article was lost.

    >>> json_lines('{"text": "a\\u2028b"}\\r\\n{}\\n')
    ['{"text": "a\\u2028b"}', '{}']
    >>> json_lines('{}\\n{}', keepends=True)
    ['{}\\n', '{}']
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
        ends = ["\n"] * len(lines)
    else:
        ends = ["\n"] * (len(lines) - 1) + [""]
    if keepends:
        return [line + end for line, end in zip(lines, ends, strict=True)]
    return [line.removesuffix("\r") for line in lines]


def article_from_record(
    record: object,
    file: Path | None = None,
    default_id: str | None = None,
    problems: list[str] | None = None,
    where: str = "",
) -> Article:
    """An article from a JSON record with the fields id, title, date, source, url, text. A date
    that is not a calendar date leaves the article undated, with a problem noted in ``problems``."""
    if not isinstance(record, dict):
        raise ArticleError("a record must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleError("the record has no text")
    article_id = record_id(record, default_id)
    if article_id is None:
        raise ArticleError("the record has no id")
    text = text.strip()
    title = str(record.get("title") or "").strip() or derive_title(text)
    return Article(
        id=article_id,
        title=title,
        text=text,
        date=_date_or_warn(str(record.get("date") or ""), problems, where),
        source=str(record.get("source") or "").strip(),
        url=str(record.get("url") or record.get("url_or_origin") or "").strip(),
        path=str(file or ""),
    )


def _date_or_warn(value: str, problems: list[str] | None, where: str) -> str:
    date = normalize_date(value)
    if value.strip() and not date and problems is not None:
        problems.append(f"{where}: date {value.strip()[:40]!r} is not a YYYY-MM-DD date; indexed as undated")
    return date


def _article_from_plain_text(file: Path, name: str, text: str, markdown: bool, problems: list[str]) -> Article:
    fields, body = front_matter(text)
    if fields:
        if not body:
            raise ArticleError(f"{name}: the article has a {'/'.join(fields)} line but no text; skipped")
        return Article(
            file.stem,
            fields.get("title") or derive_title(body),
            body,
            _date_or_warn(fields.get("date", ""), problems, name),
            source=fields.get("source", ""),
            url=fields.get("url", ""),
            path=str(file),
        )
    stripped = text.strip()
    if not stripped:
        raise ArticleError(f"{name}: empty article; skipped")
    first_line, _, rest = stripped.partition("\n")
    title = HEADING.sub("", first_line).strip() if markdown else first_line.strip()
    body = rest.strip()
    if not body:
        body, title = stripped, derive_title(stripped)
    return Article(file.stem, title, body, path=str(file))


def _article_from_html(file: Path, name: str, html: str, problems: list[str]) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    document = extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else (extracted or {})
    body = (document.get("text") or "").strip()
    if not body:
        raise ArticleError(f"{name}: no article text found in the HTML; skipped")
    title = (document.get("title") or "").strip() or derive_title(body)
    return Article(
        file.stem,
        title,
        body,
        _date_or_warn(document.get("date") or "", problems, name),
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


REMOVED_FOLDER = ".removed"  # hidden: the reader skips it; removed articles wait there


def remove_from_folder(article: Article, folder: Path) -> Path:
    """Take ``article`` out of the articles ``folder`` without destroying it: a file of its own
    moves to ``.removed/``; a record among others in a collection file is cut out of it (the file
    is rewritten atomically, its other lines unchanged) and appended to
    ``.removed/<file>.removed.jsonl``. Returns where it went. Links are moved, never followed."""
    folder = Path(os.path.abspath(folder))
    stored = Path(article.path)
    file = Path(os.path.abspath(stored if stored.is_absolute() else folder / stored))
    if not file.is_relative_to(folder) or not (file.is_file() or file.is_symlink()):
        raise ArticleError(f"article {article.id!r} is not in a file of the articles folder; nothing removed")
    relative = file.relative_to(folder)
    bin_dir = folder / REMOVED_FOLDER / relative.parent
    bin_dir.mkdir(parents=True, exist_ok=True)
    split = _split_collection(file, relative.as_posix(), article.id)
    if split is not None:  # a record among others: cut it out, keep the rest
        kept, removed = split
        target = bin_dir / f"{file.name}.removed.jsonl"
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(removed)
            handle.flush()
            os.fsync(handle.fileno())
        staged = file.with_name(f".{file.name}.rewrite")
        with open(staged, "w", encoding="utf-8") as handle:
            handle.write(kept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staged, file)
        return target
    target = bin_dir / file.name
    number = 2
    while target.exists():
        target = bin_dir / f"{file.stem}-{number}{file.suffix}"
        number += 1
    os.replace(file, target)
    return target


def _split_collection(file: Path, name: str, article_id: str) -> tuple[str, str] | None:
    """For a file holding ``article_id`` among other articles (.jsonl, or a .json list): (the
    file's new text, the removed records as JSON Lines). None when the file holds that article
    alone; `ArticleError` when a collection no longer holds it (the whole file is never moved
    for one record)."""
    suffix = file.suffix.lower()
    if suffix not in COLLECTION_SUFFIXES:
        return None
    text = _read_text(file, name)
    if suffix == ".jsonl":  # line by line: the other lines stay exactly as they were
        lines = json_lines(text, keepends=True)
        removed = [line.rstrip("\n") + "\n" for line in lines if _has_id(_parsed(line), article_id)]
        kept = [line for line in lines if not _has_id(_parsed(line), article_id)]
        if not removed:
            _missing(article_id, name)
        return ("".join(kept), "".join(removed)) if any(line.strip() for line in kept) else None
    data = json.loads(text)
    if not isinstance(data, list):  # one record: the file is the article
        if not _has_id(data, article_id) and isinstance(data, dict) and record_id(data) is not None:
            _missing(article_id, name)
        return None
    removed_records = [r for r in data if _has_id(r, article_id)]
    kept_records = [r for r in data if not _has_id(r, article_id)]
    if not removed_records:
        _missing(article_id, name)
    if not kept_records:
        return None
    removed_text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in removed_records)
    return json.dumps(kept_records, ensure_ascii=False, indent=1), removed_text


def _missing(article_id: str, name: str) -> NoReturn:
    raise ArticleError(
        f"{name} no longer holds article {article_id!r} (the index is behind the folder); nothing removed. "
        "Sync the index (newsdesk index) and try again"
    )


def _parsed(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _has_id(record: object, article_id: str) -> bool:
    return isinstance(record, dict) and record_id(record) == article_id


def record_id(record: dict, default: str | None = None) -> str | None:
    """A JSON record's article id (its ``id`` field, as text), or ``default``."""
    value = record.get("id", default)
    if not isinstance(value, str | int) or not str(value).strip():
        return None
    return str(value).strip()
