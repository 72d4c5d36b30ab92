"""Adding uploaded files to the articles folder without ever losing what is there.

An upload never replaces a file (a name that is taken gets a new one: ``story-2.txt``), never
shadows an article (a record whose id the archive already holds is refused, naming the id), obeys
the same size limits as files in the folder, and is read before it is kept, so a file Newsdesk
cannot read is refused with the reason instead of sitting in the folder. Messages name files as
the user did, never by a server path.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.articles import ARTICLE_SUFFIXES, ArticleError, read_article_file, size_limit
from qa.schema import Article

MAX_UPLOAD_FILES = 20
MAX_UPLOAD_BYTES = 5_000_000  # per file, and never more than the folder's own limit for its format
# The server takes files up to this many times the limit before refusing them itself: one over the
# limit then reaches `save_uploads`, which refuses it naming the file and the limit in the upload's
# result, instead of Gradio's toast ("maximum allowed size of 4.8 Mb", in MiB) that vanished with
# the file. Beyond it Gradio stops the transfer, so a huge file never fills the server's disk.
TRANSFER_LIMIT_FACTOR = 10
_UNSAFE = re.compile(r"[^\w.-]+")  # letters of any script stay: "新闻.txt" is a fine name
_STAGING = ".uploading"  # hidden: the article reader skips it


@dataclass(frozen=True)
class SavedUpload:
    """One file now in the articles folder, under ``name``, with the articles it holds."""

    uploaded_as: str
    name: str
    articles: tuple[Article, ...]
    problems: tuple[str, ...] = ()  # parts of the file left out (a bad line of a .jsonl) and warnings


@dataclass(frozen=True)
class UploadReport:
    saved: tuple[SavedUpload, ...]
    problems: tuple[str, ...]

    def summary(self) -> str:
        """What happened, a line per file.

        >>> UploadReport((), ("a.exe: not an article file",)).summary()
        'Refused a.exe: not an article file'
        >>> saved = SavedUpload("w.jsonl", "w.jsonl", (), ("w.jsonl:2: malformed JSON; line skipped",))
        >>> print(UploadReport((saved,), ()).summary())
        Added w.jsonl: 0 articles:
          but w.jsonl:2: malformed JSON; line skipped
        """
        lines = []
        for upload in self.saved:
            renamed = f" (saved as {upload.name}: the name was taken)" if upload.name != upload.uploaded_as else ""
            titles = ", ".join(f"“{a.title}”" for a in upload.articles[:3])
            more = f" and {len(upload.articles) - 3} more" if len(upload.articles) > 3 else ""
            count = f"{len(upload.articles)} article{'s' if len(upload.articles) != 1 else ''}"
            lines.append(f"Added {upload.uploaded_as}{renamed}: {count}: {titles}{more}".rstrip())
            lines += [f"  but {problem}" for problem in upload.problems]
        lines += [f"Refused {problem}" for problem in self.problems]
        return "\n".join(lines)


def safe_name(uploaded: str) -> str:
    """A plain file name for an upload: no folders, no leading dots, only safe characters.

    >>> safe_name("../../etc/a b.md"), safe_name("..hidden.txt"), safe_name("C:\\\\x\\\\news.json")
    ('a_b.md', 'hidden.txt', 'news.json')
    >>> safe_name("新闻.txt"), safe_name("Путин визит.md"), safe_name("….txt")
    ('新闻.txt', 'Путин_визит.md', 'article.txt')
    """
    raw = Path(uploaded.replace("\\", "/")).name
    suffix = Path(raw).suffix
    stem = _UNSAFE.sub("_", raw[: len(raw) - len(suffix)]).strip("._")
    return (stem or "article") + _UNSAFE.sub("_", suffix)


def save_uploads(
    paths: Sequence[str | Path],
    articles_dir: Path,
    known_ids: Iterable[str] = (),
    max_bytes: int = MAX_UPLOAD_BYTES,
    known_texts: Mapping[str, str] | None = None,
) -> UploadReport:
    """Read each uploaded file and, if it holds readable articles whose ids and texts are new, add
    it to ``articles_dir`` under a name no other file has. ``known_ids`` are the ids in the
    archive; ``known_texts`` maps the text hash of each of its articles to the article's id: a copy
    of an article already there is refused (it would be indexed once, hidden from the archive list
    behind its original, and answer again once the original was removed)."""
    if len(paths) > MAX_UPLOAD_FILES:
        return UploadReport((), (f"all {len(paths)} files: at most {MAX_UPLOAD_FILES} files at a time",))
    taken = set(known_ids)
    texts = dict(known_texts or {})
    saved: list[SavedUpload] = []
    problems: list[str] = []
    staging = articles_dir / _STAGING
    try:
        staging.mkdir(exist_ok=True)
        for path in paths:
            source = Path(path)
            shown = safe_name(str(path))
            try:
                upload = _save_one(source, shown, articles_dir, staging, (taken, texts), max_bytes)
            except ArticleError as error:
                problems.append(str(error))
                continue
            except OSError as error:  # a full disk, a file system without links...: this file only
                problems.append(f"{shown}: could not be saved ({error.strerror or type(error).__name__})")
                continue
            taken.update(article.id for article in upload.articles)
            texts.update((article.text_hash, article.id) for article in upload.articles)
            saved.append(upload)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return UploadReport(tuple(saved), tuple(problems))


def _save_one(
    source: Path,
    shown: str,
    articles_dir: Path,
    staging: Path,
    known: tuple[set[str], dict[str, str]],
    max_bytes: int,
) -> SavedUpload:
    taken, texts = known
    suffix = Path(shown).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise ArticleError(f"{shown}: not an article file (use {', '.join(ARTICLE_SUFFIXES)})")
    size = source.stat().st_size
    limit = min(max_bytes, size_limit(Path(shown)))
    if size > limit:
        raise ArticleError(f"{shown}: {_size(size)} is over the {_size(limit)} limit for uploads")
    existing = articles_dir / shown
    if existing.is_file() and _same_bytes(existing, source):
        raise ArticleError(f"{shown}: already in the archive with the same content; nothing to add")
    for name in _candidate_names(shown):
        if (articles_dir / name).exists() or Path(name).stem in taken:
            continue
        # Read it under the name it will have (a file's article id is its name), inside the
        # folder's file system so that keeping it is one atomic link.
        with tempfile.TemporaryDirectory(dir=staging) as scratch:
            candidate = Path(scratch) / name
            shutil.copyfile(source, candidate)
            articles, problems = read_article_file(candidate, shown)
            if not articles:
                reasons = "; ".join(p.removeprefix(f"{shown}").lstrip(":; ") for p in problems[:3])
                raise ArticleError(f"{shown}: no readable article in it ({reasons or 'empty'})")
            copies = [(a.id, texts[a.text_hash]) for a in articles if a.text_hash in texts]
            if copies:
                shown_copies = ", ".join(f"{new!r} is article {old!r}" for new, old in copies[:3])
                raise ArticleError(f"{shown}: the same text is already in the archive ({shown_copies}); nothing added")
            clashes = sorted({a.id for a in articles} & taken)
            if clashes:
                ids = ", ".join(repr(i) for i in clashes[:5]) + (" …" if len(clashes) > 5 else "")
                raise ArticleError(
                    f"{shown}: the archive already holds article id {ids}; give the new article(s) other ids, "
                    "or remove the old ones first"
                )
            try:
                os.link(candidate, articles_dir / name)  # fails if the name was taken meanwhile
            except FileExistsError:
                continue
        undated = [f"{shown}: {_which(a, articles)}has no date (add a `Date: YYYY-MM-DD` line at its top); "
                   "indexed as undated" for a in articles if not a.date]  # fmt: skip
        return SavedUpload(shown, name, tuple(articles), (*problems, *undated[:3]))
    raise ArticleError(f"{shown}: no free name for it in the articles folder")


def _which(article: Article, articles: Sequence[Article]) -> str:
    """ "article 'x' " when a file holds several, else nothing."""
    return f"article {article.id!r} " if len(articles) > 1 else ""


def _candidate_names(name: str, tries: int = 1000) -> Iterable[str]:
    """``story.txt``, then ``story-2.txt``, ``story-3.txt``…"""
    yield name
    stem, suffix = Path(name).stem, Path(name).suffix
    for number in range(2, tries):
        yield f"{stem}-{number}{suffix}"


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()


def _size(count: int) -> str:
    """
    >>> _size(5_000_000), _size(3004), _size(2048)
    ('5.0 MB', '3.0 kB', '2.0 kB')
    """
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"
