"""The `newsdesk` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_ID, SEEDS, write_story


def newsdesk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    return articles, tmp_path / "index"


def test_index_ask_status(folders):
    articles, index = folders
    where = ["--articles", str(articles), "--index", str(index)]
    built = newsdesk("index", *where, "--quiet")
    assert built.returncode == 0, built.stderr
    assert "1 added, 0 updated, 0 removed, 0 unchanged" in built.stdout

    write_story(articles, "chess")
    (articles / "broken.jsonl").write_text('{"id": "x", "text": "fine"}\n{oops\n')
    again = newsdesk("index", *where, "--quiet")
    assert "2 added, 0 updated, 0 removed, 1 unchanged" in again.stdout
    assert "broken.jsonl:2: malformed JSON" in again.stderr

    asked = newsdesk("ask", "Who will Putin meet during his visit?", *where)
    assert asked.returncode == 0, asked.stderr
    lines = asked.stdout.splitlines()
    assert "Xi Jinping" in lines[0]
    assert lines[1].startswith("confidence ")
    assert f"[{SEED_ID}, chars " in lines[2] and "2024-05-14" in lines[2]
    assert "[Xi Jinping]" in lines[3]  # the span marked inside its sentence

    as_json = json.loads(newsdesk("ask", "Who will Putin meet during his visit?", "--json", *where).stdout)
    citation = as_json["citations"][0]
    text = (articles / f"{SEED_ID}.txt").read_text().split("\n", 1)[1].strip()
    assert text[citation["start"] : citation["end"]] == as_json["text"]

    status = newsdesk("status", *where)
    assert "articles   3" in status.stdout and "fresh      yes" in status.stdout


def test_no_answer_and_bad_input_exit_codes(folders):
    articles, index = folders
    where = ["--articles", str(articles), "--index", str(index)]
    missing = newsdesk("ask", "What is the boiling point of liquid nitrogen?", *where)
    assert missing.returncode == 1 and "I couldn't find that in the articles." in missing.stdout
    missing = newsdesk("ask", "What is the boiling point of liquid nitrogen?", "--json", *where)
    assert missing.returncode == 1 and json.loads(missing.stdout)["found"] is False
    empty = newsdesk("ask", "   ", *where)
    assert empty.returncode == 2 and "empty" in empty.stderr
    nowhere = newsdesk("ask", "Who?", "--articles", str(articles / "nope"), "--index", str(index / "x"))
    assert nowhere.returncode == 2 and "no articles folder" in nowhere.stderr
    for options, message in [
        (["--date-from", "yesterday"], "The from date 'yesterday' is not a date"),
        (["--date-to", "2024-13-45"], "is not a calendar date"),
        (["--top-k", "100000"], "top_k must be a whole number from 1 to 20"),
        (["--top-k", "-3"], "top_k must be a whole number from 1 to 20"),
    ]:
        refused = newsdesk("ask", "Who will Putin meet?", *options, *where)
        assert refused.returncode == 2 and message in refused.stderr and "Traceback" not in refused.stderr
    garbled = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", b"Who will Putin meet \xff?", *where],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert garbled.returncode == 2 and "not valid text" in garbled.stderr


def test_status_on_an_index_path_that_is_a_file_is_refused(folders, tmp_path: Path):
    articles, _ = folders
    not_a_folder = tmp_path / "index.txt"
    not_a_folder.write_text("my notes")
    for command in (["status"], ["status", "--json"], ["index"]):
        refused = newsdesk(*command, "--articles", str(articles), "--index", str(not_a_folder))
        assert refused.returncode == 2 and "is a file: name a folder for the index" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert not_a_folder.read_text() == "my notes"


def test_train_reader_refuses_half_an_unanswerable_setting(tmp_path: Path):
    for options in (["--unanswerable", "left-out"], ["--unanswerable-fraction", "0.5"]):
        refused = newsdesk("train-reader", "--squad", str(tmp_path / "none.json"), "--out", str(tmp_path), *options)
        assert refused.returncode == 2 and "go together" in refused.stderr and "Traceback" not in refused.stderr
    unknown = newsdesk("train-reader", "--squad", "x.json", "--unanswerable", "asked", "--unanswerable-fraction", "1")
    assert unknown.returncode == 2 and "invalid choice: 'asked'" in unknown.stderr
    not_a_reader = newsdesk("train-reader", "--squad", "x.json", "--teachers", str(tmp_path))
    assert not_a_reader.returncode == 2 and "--teachers must be reader folders" in not_a_reader.stderr


def test_one_index_serves_one_articles_folder(folders, tmp_path: Path):
    articles, index = folders
    assert newsdesk("index", "--articles", str(articles), "--index", str(index), "--quiet").returncode == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("Note\nA note.")
    refused = newsdesk("index", "--articles", str(other), "--index", str(index), "--quiet")
    assert refused.returncode == 2 and "holds the articles of" in refused.stderr and "--rebuild" in refused.stderr
    status = newsdesk("status", "--articles", str(articles), "--index", str(index))
    assert "articles   1" in status.stdout


def test_serving_on_a_network_needs_a_login(folders):
    articles, index = folders
    where = ["--articles", str(articles), "--index", str(index)]
    refused = newsdesk("serve", "--host", "0.0.0.0", *where)
    assert refused.returncode == 2
    assert "refusing to serve on 0.0.0.0 without authentication" in refused.stderr and "--auth" in refused.stderr
    bad = newsdesk("serve", "--host", "0.0.0.0", "--auth", "nopassword", *where)
    assert bad.returncode == 2 and "USER:PASSWORD" in bad.stderr


def test_export_reader(tmp_path: Path):
    out = newsdesk("export-reader", str(tmp_path / "hf"))
    assert out.returncode == 0, out.stderr
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in (tmp_path / "hf").iterdir()}


def test_serve_starts_the_chat_on_a_free_port(folders, tmp_path: Path):
    """``--port 0`` picks a free port and says which (Gradio alone crashed on it)."""
    import re
    import time
    import urllib.request

    articles, index = folders
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qa.cli",
                "serve",
                "--port",
                "0",
                "--articles",
                str(articles),
                "--index",
                str(index),
            ],
            cwd=articles,  # not the project root: serve needs nothing from there
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.time() + 240
        while time.time() < deadline and process.poll() is None:
            serving = re.search(r"serving http://127\.0\.0\.1:(\d+)/", log_path.read_text())
            try:
                assert serving is not None
                page = urllib.request.urlopen(f"http://127.0.0.1:{serving.group(1)}/", timeout=2).read().decode()
                break
            except (OSError, AssertionError):
                time.sleep(1)
        else:
            pytest.fail(f"newsdesk serve did not start: {log_path.read_text()[-2000:]}")
        assert int(serving.group(1)) > 0 and "Newsdesk" in page
        while not (index / "CURRENT").is_file() and time.time() < deadline:  # it syncs the stale index
            time.sleep(0.5)
        assert (index / "CURRENT").is_file()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Traceback" not in log_path.read_text()


def test_a_port_that_is_no_port_is_refused(folders):
    articles, index = folders
    refused = newsdesk("serve", "--port", "70000", "--articles", str(articles), "--index", str(index))
    assert refused.returncode == 2 and "--port 70000 is not a port" in refused.stderr


def test_eval_e2e_with_a_chosen_embedder(folders, tmp_path: Path):
    articles, index = folders
    write_story(articles, "chess")
    asked = [
        ("Who will Putin meet during his visit?", ["Xi Jinping"], SEED_ID),
        ("Who won the world chess championship final?", ["Magnus Carlsen"], "chess"),
        ("What is the boiling point of liquid nitrogen?", [], ""),
    ]
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        "".join(
            json.dumps({"id": f"q{n}", "question": q, "answers": a, "article_id": i, "answerable": bool(a)}) + "\n"
            for n, (q, a, i) in enumerate(asked)
        )
    )
    run = newsdesk(
        "eval", "e2e", "--questions", str(questions), "--articles", str(articles), "--index", str(index),
        "--embedding-precision", "bf16", "--embedding-max-tokens", "0", "--json",
        "--leave-out", "--plot", str(tmp_path / "curve.png"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)  # the plot's note goes to stderr: stdout stays one JSON document
    assert (report["questions"], report["answerable"]) == (3, 2)
    assert report["f1"] > 60 and report["citation_accuracy"] == 100.0 and report["no_answer_recall"] == 100.0
    # Each answerable question asked again without its article: in the JSON too, not only as text.
    left_out = report["leave_out"]
    assert left_out["asked"] >= 1 and left_out["asked"] + len(left_out["set_aside"]) == 2
    assert left_out["abstained"] == left_out["asked"] and len(left_out["results"]) == 2 + left_out["asked"]
    assert (tmp_path / "curve.png").stat().st_size > 0 and "precision/recall curve" in run.stderr
    status = newsdesk("status", "--articles", str(articles), "--index", str(index))
    assert "(max_tokens None, precision bf16)" in status.stdout


def test_eval_reader_reads_with_the_windows_asked_for(tmp_path: Path):
    context = "The Koszalin escape room fire killed five girls on 4 January 2019. " * 6
    squad = {
        "version": "1.1",
        "data": [
            {
                "title": "Koszalin",
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "id": "q1",
                                "question": "How many girls died in the Koszalin fire?",
                                "answers": [{"text": "five", "answer_start": context.index("five")}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    out = newsdesk("eval", "reader", "--squad", str(path), "--window", "48", "--stride", "16", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["window"], report["stride"]) == (48, 16)
    assert report["f1"] == 100.0


def test_a_bug_keeps_its_traceback_and_only_input_errors_exit_2(folders, monkeypatch):
    import qa.cli

    articles, index = folders
    where = ["--articles", str(articles), "--index", str(index)]

    def broken(args):
        raise ValueError("an internal mistake")  # a bug, not the user's input

    monkeypatch.setattr(qa.cli, "cmd_status", broken)
    with pytest.raises(ValueError, match="an internal mistake"):
        qa.cli.main(["status", *where])

    from qa.errors import UsageError

    def refused(args):
        raise UsageError("--thing must be positive")

    monkeypatch.setattr(qa.cli, "cmd_status", refused)
    assert qa.cli.main(["status", *where]) == 2


def test_a_file_that_is_not_squad_is_an_input_error(tmp_path: Path):
    import qa.cli
    from qa.errors import UsageError
    from qa.squad import load_squad

    notes = tmp_path / "notes.txt"
    notes.write_text("not json at all")
    wrong_shape = tmp_path / "wrong.json"
    wrong_shape.write_text('{"articles": []}')
    for path in (notes, wrong_shape):
        with pytest.raises(UsageError, match="is not a SQuAD JSON file"):
            load_squad(path)
    assert qa.cli.main(["eval", "reader", "--squad", str(notes)]) == 2
