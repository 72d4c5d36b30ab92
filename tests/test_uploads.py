"""Uploads never replace, shadow or lose an article (real files, no server needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.articles import read_articles
from qa.uploads import MAX_UPLOAD_FILES, save_uploads
from tests.conftest import SEED_ID, SEEDS


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / f"{SEED_ID}.txt").write_bytes((SEEDS / f"{SEED_ID}.txt").read_bytes())
    (folder / "news.jsonl").write_text(
        "".join(
            json.dumps({"id": f"n{i}", "title": f"Story {i}", "text": f"Story number {i}."}) + "\n" for i in range(5)
        )
    )
    return folder


def upload_file(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def ids_in(folder: Path) -> set[str]:
    return {a.id for a in read_articles(folder).articles}


def test_an_upload_named_like_an_existing_file_gets_a_new_name(archive: Path, tmp_path: Path):
    before = (archive / f"{SEED_ID}.txt").read_bytes()
    changed = upload_file(tmp_path, f"{SEED_ID}.txt", "date 2024-05-15\nA different story about a ferry strike.")
    report = save_uploads([changed], archive, ids_in(archive))
    assert (archive / f"{SEED_ID}.txt").read_bytes() == before  # never replaced
    assert [(s.uploaded_as, s.name) for s in report.saved] == [(f"{SEED_ID}.txt", f"{SEED_ID}-2.txt")]
    assert "saved as 000_e30909366e7613cc-2.txt: the name was taken" in report.summary()
    assert ids_in(archive) >= {SEED_ID, f"{SEED_ID}-2"}


def test_the_same_file_again_adds_nothing(archive: Path, tmp_path: Path):
    again = upload_file(tmp_path, f"{SEED_ID}.txt", (SEEDS / f"{SEED_ID}.txt").read_text())
    report = save_uploads([again], archive, ids_in(archive))
    assert report.saved == () and "already in the archive with the same content" in report.problems[0]


def test_a_small_collection_with_an_existing_name_cannot_remove_articles(archive: Path, tmp_path: Path):
    tiny = upload_file(tmp_path, "news.jsonl", json.dumps({"id": "n1", "title": "Hijack", "text": "Replaced."}) + "\n")
    report = save_uploads([tiny], archive, ids_in(archive))
    assert report.saved == ()
    assert "the archive already holds article id 'n1'" in report.problems[0]
    assert ids_in(archive) == {SEED_ID, "n0", "n1", "n2", "n3", "n4"}
    assert read_articles(archive).problems == ()
    assert sorted(p.name for p in archive.iterdir()) == [f"{SEED_ID}.txt", "news.jsonl"]  # nothing left behind


def test_a_record_reusing_an_article_id_is_refused(archive: Path, tmp_path: Path):
    shadow = upload_file(tmp_path, "0.json", json.dumps({"id": SEED_ID, "title": "Fake", "text": "Fake news."}))
    report = save_uploads([shadow], archive, ids_in(archive))
    assert report.saved == () and f"already holds article id '{SEED_ID}'" in report.problems[0]
    assert not (archive / "0.json").exists()


def test_names_that_clean_to_the_same_name_both_survive(archive: Path, tmp_path: Path):
    first = upload_file(tmp_path, "a b.md", "# Tram\nThe tram opened.")
    second = tmp_path / "other"
    second.mkdir()
    (second / "a_b.md").write_text("# Bus\nThe bus route changed.")
    report = save_uploads([first, second / "a_b.md"], archive, ids_in(archive))
    assert [s.name for s in report.saved] == ["a_b.md", "a_b-2.md"]
    titles = {a.title for a in read_articles(archive).articles}
    assert {"Tram", "Bus"} <= titles
    assert "Added a_b.md" in report.summary() and "“Bus”" in report.summary()


def test_unreadable_wrong_type_and_oversized_uploads_are_refused_with_the_reason(archive: Path, tmp_path: Path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9\nThe caf\xe9 opened.".encode("latin-1"))
    exe = upload_file(tmp_path, "run.sh", "echo hi")
    big = upload_file(tmp_path, "big.txt", "Big\n" + "x" * 3000)
    sneaky = upload_file(tmp_path, "..evil.txt", "Evil\nA story.")
    report = save_uploads([latin, exe, big, str(sneaky)], archive, ids_in(archive), max_bytes=2048)
    problems = "\n".join(report.problems)
    assert "latin.txt: not UTF-8 text" in problems
    assert "run.sh: not an article file" in problems
    assert "big.txt: 3.0 kB is over the 2.0 kB limit for uploads" in problems
    assert [s.name for s in report.saved] == ["evil.txt"]
    assert str(tmp_path) not in report.summary()  # no server paths in messages
    assert not (archive / ".uploading").exists()


def test_too_many_files_at_once(archive: Path, tmp_path: Path):
    files = [upload_file(tmp_path, f"s{i}.txt", f"S{i}\nStory {i}.") for i in range(MAX_UPLOAD_FILES + 1)]
    report = save_uploads(files, archive, ids_in(archive))
    assert report.saved == () and f"at most {MAX_UPLOAD_FILES} files at a time" in report.problems[0]


def test_an_id_already_in_the_folder_but_not_yet_indexed_is_refused(archive: Path, tmp_path: Path):
    # The chat passes the ids of the index and of the folder (Newsdesk.article_ids); a file
    # dropped in by hand and not yet indexed counts too.
    (archive / "late.json").write_text(json.dumps({"id": "late", "title": "Late", "text": "Late news."}))
    shadow = upload_file(tmp_path, "a.json", json.dumps({"id": "late", "title": "Shadow", "text": "Other."}))
    report = save_uploads([shadow], archive, ids_in(archive))
    assert report.saved == () and "already holds article id 'late'" in report.problems[0]


def test_a_collection_with_a_bad_line_keeps_the_good_ones_and_says_which_line(archive: Path, tmp_path: Path):
    good = [
        json.dumps({"id": f"u{i}", "title": f"Upload {i}", "date": f"2024-01-0{i + 1}", "text": f"Uploaded story {i}."})
        for i in range(2)
    ]
    wire = upload_file(tmp_path, "wire.jsonl", f"{good[0]}\n{{broken json\n{good[1]}\n")
    report = save_uploads([wire], archive, ids_in(archive))
    assert [a.id for a in report.saved[0].articles] == ["u0", "u1"]
    assert report.saved[0].problems == ("wire.jsonl:2: malformed JSON (Expecting property name enclosed in double "
                                        "quotes); line skipped",)  # fmt: skip
    assert "  but wire.jsonl:2: malformed JSON" in report.summary()


def test_the_same_text_under_another_name_is_refused_as_a_copy(archive: Path, tmp_path: Path):
    seed = SEEDS / f"{SEED_ID}.txt"
    texts = {a.text_hash: a.id for a in read_articles(archive).articles}
    for _ in range(2):  # the same file twice, as a user who is not sure the first upload worked
        report = save_uploads([seed], archive, ids_in(archive), known_texts=texts)
        assert report.saved == ()
        assert report.problems == (
            f"{SEED_ID}.txt: already in the archive with the same content; nothing to add",
        )  # fmt: skip
    renamed = upload_file(tmp_path, "putin-visit.txt", seed.read_text())
    report = save_uploads([renamed], archive, ids_in(archive), known_texts=texts)
    assert report.problems == (
        f"putin-visit.txt: the same text is already in the archive ('putin-visit' is article '{SEED_ID}'); "
        "nothing added",
    )
    assert sorted(p.name for p in archive.iterdir()) == [f"{SEED_ID}.txt", "news.jsonl"]


def test_an_upload_without_a_date_is_kept_with_a_warning(archive: Path, tmp_path: Path):
    dated = upload_file(tmp_path, "bridge.md", "# Bridge reopens\nDate: 2024-05-21\n\nThe bridge reopened on Thursday.")
    undated = upload_file(tmp_path, "ferry.md", "# Ferry delayed\n\nThe ferry was delayed by fog.")
    report = save_uploads([dated, undated], archive, ids_in(archive))
    assert [s.articles[0].date for s in report.saved] == ["2024-05-21", ""]
    assert report.saved[0].problems == ()
    assert report.saved[1].problems == (
        "ferry.md: has no date (add a `Date: YYYY-MM-DD` line at its top); indexed as undated",
    )
