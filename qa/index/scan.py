"""What the articles folder holds now, reading only the files whose stat changed.

A sync remembers each file's size, mtime (ns) and inode; a file whose three are unchanged is taken
from the index's article table instead of being read and hashed again, as git's index and rsync
decide. A changed JSONL collection is read whole, and the plan then diffs it by record (article id
and content hash), so only its changed records are embedded again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qa.articles import (
    ArticleError,
    ArticleUnreadable,
    FolderListing,
    article_files,
    display_path,
    read_article_file,
)
from qa.index.store import UNREAD, FileState
from qa.schema import Article


@dataclass
class FolderScan:
    """What changed in the folder since the index's last sync, as far as a stat can tell."""

    state: dict[str, tuple[str, str]]  # article id -> (content hash, text hash), for the files read
    file_of: dict[str, str]  # article id -> its file, for the files read
    files: dict[str, FileState]  # every article file now, with what reading it found
    read: set[str] = field(default_factory=set)  # the files read this time (new or changed)
    removed: set[str] = field(default_factory=set)  # files the index knew that are gone
    problems: list[str] = field(default_factory=list)


def stat_folder(articles_dir: Path, follow_links: bool) -> tuple[dict[str, tuple[Path, FileState]], FolderListing]:
    """Every article file (name inside the folder -> (path, stat)), in reading order, and the
    listing it comes from (what was refused, which folders could not be listed). Reads no file."""
    root = Path(articles_dir)
    if not root.exists():
        raise FileNotFoundError(f"no articles folder or file at {root}")
    base = root.parent if root.is_file() else root
    listing = FolderListing((root,)) if root.is_file() else article_files(root, follow_links)
    found: dict[str, tuple[Path, FileState]] = {}
    unreachable: list[str] = []
    for path in listing.files:
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue  # gone between listing and stat: it is not there
        except OSError:  # there, but the system refuses it now: not gone
            unreachable.append(display_path(path, base))
            continue
        found[display_path(path, base)] = (
            path,
            FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns),
        )
    if unreachable:
        listing = dataclasses.replace(listing, unreadable=(*listing.unreadable, *unreachable))
    return found, listing


def files_to_read(now: Mapping[str, FileState], known: Mapping[str, FileState]) -> set[str]:
    """The files a sync must read: new ones, ones whose stat changed, and, when anything changed,
    the ones that had ids shadowed by another file (which may no longer hold them).

    >>> a, b = FileState(10, 1, 7), FileState(20, 2, 8)
    >>> sorted(files_to_read({"a": a, "b": b}, {"a": a}))
    ['b']
    >>> sorted(files_to_read({"a": a}, {"a": FileState(10, 5, 7)}))
    ['a']
    >>> sorted(files_to_read({"a": a, "b": b}, {"a": a, "b": dataclasses.replace(b, shadowed=True)}))
    []
    >>> sorted(files_to_read({"b": b}, {"a": a, "b": dataclasses.replace(b, shadowed=True)}))
    ['b']
    """
    changed = {name for name, state in now.items() if name not in known or not known[name].same_stat(state)}
    if changed or set(known) - set(now):
        changed |= {name for name in now if name in known and known[name].shadowed}
    return changed


def scan_folder(
    articles_dir: Path,
    follow_links: bool,
    known: Mapping[str, FileState],
    owners: Callable[[list[str]], Mapping[str, str]],
) -> FolderScan:
    """Stat the folder and read the files that changed. ``owners(ids)`` names the file each of
    those ids was indexed from: an id read here that an unchanged file already holds goes to the
    file that comes first (as when the whole folder is read), and a later unchanged file that loses
    it to a changed one is read again."""
    now, listing = stat_folder(articles_dir, follow_links)
    reading = files_to_read({name: state for name, (_, state) in now.items()}, known)
    removed = gone_files(known, now, listing.unreadable)
    order = {name: position for position, name in enumerate(now)}
    while True:
        scan = FolderScan({}, {}, {}, set(reading), removed, list(listing.refused))
        reads = _read_files(scan, [(name, now[name][0]) for name in now if name in reading])
        again = _settle_shadowed_ids(scan, reads, owners, order)
        if not again:
            break
        reading |= again
    _record_files(scan, reads, now, known)
    return scan


@dataclass
class _Reads:
    """What reading the changed files found: each file's problems, and those the system refused."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)


def _read_files(scan: FolderScan, files: list[tuple[str, Path]]) -> _Reads:
    """Read ``files`` (name, path) in folder order into ``scan``: the first file to hold an id keeps it."""
    reads = _Reads()
    for name, path in files:
        try:
            articles, problems = read_article_file(path, name)
        except ArticleError as error:
            articles, problems = [], [str(error)]
            if isinstance(error, ArticleUnreadable):
                reads.unreadable.add(name)
        reads.problems[name] = problems
        for article in articles:
            if article.id in scan.state:
                problems.append(
                    f"{name}: article id {article.id!r} already read from {scan.file_of[article.id]}; skipped"
                )
                continue
            scan.state[article.id] = (article.content_hash, article.text_hash)
            scan.file_of[article.id] = name
    return reads


def _settle_shadowed_ids(
    scan: FolderScan, reads: _Reads, owners: Callable[[list[str]], Mapping[str, str]], order: Mapping[str, int]
) -> set[str]:
    """Ids read now that an unchanged file already holds: the earlier file keeps each. Returns the
    unchanged files that lost an id to an earlier changed one, to be read again."""
    again = set()
    for article_id, other in owners(list(scan.state)).items():
        if other in scan.read or other in scan.removed or other not in order:
            continue  # its entry is being replaced
        mine = scan.file_of[article_id]
        if order[other] < order[mine]:
            del scan.state[article_id], scan.file_of[article_id]
            reads.problems[mine].append(f"{mine}: article id {article_id!r} already read from {other}; skipped")
        else:
            again.add(other)
    return again


def _record_files(
    scan: FolderScan, reads: _Reads, now: Mapping[str, tuple[Path, FileState]], known: Mapping[str, FileState]
) -> None:
    """Each file's state as the index will remember it, and the scan's problems."""
    # A file the system refused to read now (permissions, an I/O error) that the index knows keeps
    # its indexed articles: a transient error must never remove them. It is tried again next time.
    kept = reads.unreadable & set(known)
    scan.read -= kept
    for name, (_, state) in now.items():
        if name in kept:
            problem = reads.problems[name][0].removesuffix("; skipped")
            scan.files[name] = dataclasses.replace(
                known[name], problems=(f"{problem}; the articles indexed from it are kept until it can be read",)
            )
        elif name in reads.problems:
            problems = list(dict.fromkeys(reads.problems[name]))
            is_shadowed = any("already read from" in problem for problem in problems)
            stat = UNREAD if name in reads.unreadable else state  # read it again next time
            scan.files[name] = dataclasses.replace(stat, problems=tuple(problems), shadowed=is_shadowed)
        else:
            scan.files[name] = known[name]
        scan.problems.extend(scan.files[name].problems)


def gone_files(known: Mapping[str, FileState], now: Mapping[str, object], unreadable: tuple[str, ...]) -> set[str]:
    """The files the index knows that are gone from the folder: not listed now, and neither under
    a folder that could not be listed nor a file that could not be reached (those may be there
    still).

    >>> state = FileState(1, 1, 1)
    >>> sorted(gone_files({"a.txt": state, "2024/b.txt": state, "c.txt": state}, {"c.txt": state}, ("2024",)))
    ['a.txt']
    >>> gone_files({"a.txt": state}, {}, (".",))  # the folder itself could not be listed
    set()
    >>> gone_files({"a.txt": state, "b.txt": state}, {}, ("b.txt",))  # b.txt could not be stat-ed
    {'a.txt'}
    """
    if "." in unreadable:
        return set()
    hidden = tuple(f"{folder}/" for folder in unreadable)
    return {name for name in known if name not in now and name not in unreadable and not name.startswith(hidden)}


def read_articles_of(articles_dir: Path, names: set[str], ids: set[str]) -> dict[str, Article]:
    """The articles ``ids`` from the files ``names`` of the folder (for articles a sync must embed
    though their files did not change: a duplicate promoted when its original went)."""
    root = Path(articles_dir)
    base = root.parent if root.is_file() else root
    found: dict[str, Article] = {}
    for name in sorted(names):
        try:
            articles, _ = read_article_file(base / name, name)
        except ArticleError:
            continue
        for article in articles:  # the first record of an id wins, as when the folder is read
            if article.id in ids and article.id not in found:
                found[article.id] = dataclasses.replace(article, path=name)
    return found


def stat_changed(articles_dir: Path, follow_links: bool, known: Mapping[str, FileState]) -> bool:
    """Whether any article file was added, removed or changed since ``known`` (stat only).

    Measured on 100,000 files: see bench/scale.py."""
    now, listing = stat_folder(articles_dir, follow_links)
    if set(now) - set(known) or gone_files(known, now, listing.unreadable):
        return True
    return any(not known[name].same_stat(state) for name, (_, state) in now.items())
