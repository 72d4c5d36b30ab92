from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.articles import MAX_ARTICLE_FILE_BYTES, derive_title, normalize_date, read_articles
from tests.conftest import SEED_ID, SEEDS


def test_the_seed_article_format():
    (article,) = read_articles(SEEDS).articles
    raw = (SEEDS / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    assert article.id == SEED_ID
    assert article.date == "2024-05-14"
    assert article.text.startswith("BEIJING (AP) Russian President Vladimir Putin")
    assert raw.endswith(article.text) or raw.rstrip().endswith(article.text)
    assert article.title.startswith("Russian President Vladimir Putin will make a two-day state visit")
    assert len(article.content_hash) == 64


def test_txt_md_json_jsonl_and_html(tmp_path: Path):
    (tmp_path / "plain.txt").write_text("Storm hits coast\n\nA storm hit the coast on Monday.\n")
    (tmp_path / "notes.md").write_text("# Markets rally\n\nShares rose 3% on Friday.")
    (tmp_path / "one.json").write_text(json.dumps({"title": "Single", "date": "2020-01-02T10:00:00Z", "text": "Body."}))
    (tmp_path / "many.jsonl").write_text(
        json.dumps({"id": "j1", "title": "First", "date": "2019-05-01", "source": "Wire", "url": "u", "text": "One."})
        + "\n"
        + json.dumps({"id": "j2", "title": "Second", "date": "", "text": "Two.", "url_or_origin": "https://x"})
        + "\n"
    )
    (tmp_path / "page.html").write_text(
        "<html><head><title>Bridge opens</title></head><body><nav>Home | About</nav><article><h1>Bridge opens</h1>"
        "<p>The new bridge over the river opened to traffic on Sunday after four years of construction work.</p>"
        "<p>The mayor cut the ribbon in front of a crowd of several hundred people from the town.</p>"
        "</article><footer>Copyright</footer></body></html>"
    )
    reading = read_articles(tmp_path)
    by_id = {a.id: a for a in reading.articles}
    assert reading.problems == ()
    assert (by_id["plain"].title, by_id["plain"].text) == ("Storm hits coast", "A storm hit the coast on Monday.")
    assert (by_id["notes"].title, by_id["notes"].text) == ("Markets rally", "Shares rose 3% on Friday.")
    assert (by_id["one"].title, by_id["one"].date) == ("Single", "2020-01-02")
    assert (by_id["j1"].source, by_id["j1"].url, by_id["j1"].date) == ("Wire", "u", "2019-05-01")
    assert by_id["j2"].url == "https://x"
    page = by_id["page"]
    assert page.title == "Bridge opens"
    assert "opened to traffic on Sunday" in page.text and "Copyright" not in page.text


def test_bad_files_are_skipped_with_a_problem_naming_them(tmp_path: Path):
    (tmp_path / "good.txt").write_text("Good\nFine text.")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 news\nThe caf\xe9 opened.".encode("latin-1"))
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"id": "ok1", "title": "A", "text": "Fine."})
        + "\n{not json\n"
        + json.dumps({"id": "nt"})
        + "\n"
        + json.dumps({"id": "ok2", "title": "B", "text": "Also fine."})
        + "\n"
    )
    reading = read_articles(tmp_path)
    assert sorted(a.id for a in reading.articles) == ["good", "ok1", "ok2"]
    problems = "\n".join(reading.problems)
    assert "latin1.txt: not UTF-8" in problems
    assert "binary.txt: binary file" in problems
    assert "lines.jsonl:2: malformed JSON" in problems
    assert "lines.jsonl:3: the record has no text" in problems


def test_hidden_and_unknown_files_are_ignored_and_duplicate_ids_reported(tmp_path: Path):
    (tmp_path / ".hidden.txt").write_text("Hidden\ntext")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "a.txt").write_text("A\nFirst.")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.md").write_text("# A again\nSecond.")
    reading = read_articles(tmp_path)
    assert [a.text for a in reading.articles] == ["First."]
    assert any("already read" in p for p in reading.problems)


def test_empty_and_missing_folders(tmp_path: Path):
    assert read_articles(tmp_path).articles == ()
    with pytest.raises(FileNotFoundError):
        read_articles(tmp_path / "nope")


def test_titles_and_dates():
    assert derive_title("WASHINGTON (AP) The Senate passed the bill. More text.") == "The Senate passed the bill"
    long = " ".join(["word"] * 30) + "."
    assert derive_title(long).endswith("…") and len(derive_title(long).split()) == 14
    assert normalize_date("2024-02-30") == "" and normalize_date("2024-02-29") == "2024-02-29"


def test_one_unreadable_file_is_a_skipped_file_never_a_failed_read(tmp_path: Path):
    (tmp_path / "good.txt").write_text("Good\nFine text.")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)  # RecursionError in json
    (tmp_path / "deep.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"id": "ok", "text": "Hi."}))
    (tmp_path / "huge.txt").write_text("Huge\n" + "word " * (MAX_ARTICLE_FILE_BYTES // 5 + 10))
    reading = read_articles(tmp_path)
    assert sorted(a.id for a in reading.articles) == ["good", "ok"]
    problems = "\n".join(reading.problems)
    assert "deep.json: nested too deeply to read; skipped" in problems
    assert "deep.jsonl:1: nested too deeply to read; line skipped" in problems
    assert "huge.txt: 5.0 MB is over the 5 MB limit" in problems
    assert str(tmp_path) not in problems  # messages name files inside the folder, never server paths


def test_links_out_of_the_folder_are_refused_unless_asked_for(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0\nroot:/root:/bin/bash")
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "story.txt").write_text("Story\nA story inside the folder.")
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "inside.txt").symlink_to(folder / "sub" / "story.txt")
    reading = read_articles(folder)
    assert sorted(a.id for a in reading.articles) == ["inside", "story"]
    problems = "\n".join(reading.problems)
    assert "passwd.txt: a link out of the articles folder; skipped" in problems
    assert "elsewhere: a link out of the articles folder; skipped" in problems
    assert "root:x" not in problems and str(outside) not in problems
    followed = read_articles(folder, follow_links=True)
    assert sorted(a.id for a in followed.articles) == ["inside", "passwd", "secret", "story"]


def test_invalid_dates_leave_the_article_undated_with_a_warning(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "x", "date": "2024-13-45", "text": "Body."}) + "\n")
    (tmp_path / "b.txt").write_text("date 2024-02-30\nLeap day that never was.")
    reading = read_articles(tmp_path)
    assert {a.id: a.date for a in reading.articles} == {"x": "", "b": ""}
    problems = "\n".join(reading.problems)
    assert "a.jsonl:1: date '2024-13-45' is not a YYYY-MM-DD date; indexed as undated" in problems
    assert "b.txt: date '2024-02-30' is not a YYYY-MM-DD date; indexed as undated" in problems


def test_removing_an_article_keeps_it_and_everything_else(tmp_path: Path):
    from qa.articles import remove_from_folder

    (tmp_path / "one.txt").write_text("One\nThe first story.")
    lines = [json.dumps({"id": f"j{i}", "title": f"T{i}", "text": f"Story {i}."}) for i in range(3)]
    (tmp_path / "many.jsonl").write_text(lines[0] + "\n{broken line\n" + lines[1] + "\n" + lines[2] + "\n")
    (tmp_path / "list.json").write_text(json.dumps([{"id": "l1", "text": "A."}, {"id": "l2", "text": "B."}]))
    by_id = {a.id: a for a in read_articles(tmp_path).articles}
    remove_from_folder(by_id["one"], tmp_path)
    remove_from_folder(by_id["j1"], tmp_path)
    remove_from_folder(by_id["l2"], tmp_path)
    assert sorted(a.id for a in read_articles(tmp_path).articles) == ["j0", "j2", "l1"]
    assert (tmp_path / "many.jsonl").read_text() == lines[0] + "\n{broken line\n" + lines[2] + "\n"  # byte for byte
    removed = tmp_path / ".removed"
    assert (removed / "one.txt").read_text() == "One\nThe first story."
    assert (removed / "many.jsonl.removed.jsonl").read_text() == lines[1] + "\n"
    assert json.loads((removed / "list.json.removed.jsonl").read_text())["id"] == "l2"


def test_removing_an_article_a_collection_no_longer_holds_moves_nothing(tmp_path: Path):
    from qa.articles import ArticleError, remove_from_folder

    (tmp_path / "many.jsonl").write_text("".join(json.dumps({"id": f"j{i}", "text": "T."}) + "\n" for i in range(3)))
    stale = next(a for a in read_articles(tmp_path).articles if a.id == "j1")
    remove_from_folder(stale, tmp_path)
    with pytest.raises(ArticleError, match=r"no longer holds article 'j1'.*nothing removed"):
        remove_from_folder(stale, tmp_path)  # a second try must not take the whole file away
    assert sorted(a.id for a in read_articles(tmp_path).articles) == ["j0", "j2"]


def test_removing_a_link_moves_the_link_not_its_target(tmp_path: Path):
    from qa.articles import remove_from_folder

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story.txt").write_text("Story\nThe story itself.")
    (tmp_path / "inside.txt").symlink_to(tmp_path / "sub" / "story.txt")
    link = next(a for a in read_articles(tmp_path).articles if a.id == "inside")
    assert link.path == "inside.txt"  # paths are kept relative to the folder
    remove_from_folder(link, tmp_path)
    assert (tmp_path / "sub" / "story.txt").is_file() and (tmp_path / ".removed" / "inside.txt").is_symlink()


@pytest.mark.parametrize(
    "text",
    [
        "# Bridge reopens\ndate 2024-05-21\n\nThe bridge reopened on Thursday after repairs.",
        "# Bridge reopens\nDate: 2024-05-21\nSource: City Desk\nURL: https://example.org/bridge\n\n"
        "The bridge reopened on Thursday after repairs.",
        "---\ntitle: Bridge reopens\ndate: '2024-05-21'\nsource: City Desk\nurl: https://example.org/bridge\n---\n"
        "The bridge reopened on Thursday after repairs.",
        "Bridge reopens\nDate: 2024-05-21\n\nThe bridge reopened on Thursday after repairs.",
    ],
)
def test_text_articles_carry_their_date_in_front_matter(tmp_path: Path, text: str):
    (tmp_path / "bridge.md").write_text(text)
    reading = read_articles(tmp_path)
    (article,) = reading.articles
    assert reading.problems == ()
    assert (article.title, article.date, article.text) == (
        "Bridge reopens",
        "2024-05-21",
        "The bridge reopened on Thursday after repairs.",
    )
    if "Source" in text or "source:" in text:
        assert (article.source, article.url) == ("City Desk", "https://example.org/bridge")


def test_front_matter_is_read_only_at_the_top(tmp_path: Path):
    (tmp_path / "note.txt").write_text("Council meets\nThe council met.\nSource: the mayor's office said so.")
    (article,) = read_articles(tmp_path).articles
    assert (article.title, article.date, article.source) == ("Council meets", "", "")
    assert article.text == "The council met.\nSource: the mayor's office said so."
