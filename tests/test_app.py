"""The chat, end to end: a real server, gradio_client, and headless Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import escape, highlighted_passage, save_uploads
from tests.conftest import ARTIFACTS, ROOT, SEED_ID, SEEDS

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
XSS_TEXT = (
    "Harbor gala\n"
    "The harbor gala raised money for the lifeboat crew. "
    "The organiser, Mira Santos, thanked <script>window.__xss = 1; alert('xss')</script> the volunteers. "
    "A banner read <img src=x onerror=\"window.__xss = 2; alert('img')\"> in bright letters."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    articles = folder / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    port = free_port()
    log = open(folder / "app.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), "--articles", str(articles), "--index", str(folder / "index")],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 240
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited: {(folder / 'app.log').read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        process.kill()
        raise RuntimeError("app.py did not start within 240 s")
    yield {"url": url, "articles": articles, "folder": folder}
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_chat_endpoint_answers_with_a_citation(server):
    from gradio_client import Client

    client = Client(server["url"], verbose=False)
    reply, highlighted, _ = client.predict("Who will Putin meet during his visit?", "", "", api_name="/chat")
    assert "Xi Jinping" in reply and "2024-05-14" in reply and "characters" in reply
    marked = [part for part in highlighted if part[1] == "answer"]
    assert len(marked) == 1 and "Xi Jinping" in marked[0][0]
    nothing, highlighted, _ = client.predict("What is the boiling point of liquid nitrogen?", "", "", api_name="/chat")
    assert nothing.startswith("I couldn't find that in the articles") and highlighted == []
    bad_date, _, _ = client.predict("Who will Putin meet?", "May 2024", "", api_name="/chat")
    assert "must look like 2024-05-14" in bad_date


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium (apt-get install chromium chromium-driver); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield instance
        instance.close()


def open_page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server["url"])  # never wait for networkidle: Gradio keeps a heartbeat open
    page.wait_for_selector("#question textarea", timeout=60_000)
    return page, dialogs


def ask(page, question: str, expect: str) -> None:
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "text => document.querySelector('#chat').innerText.includes(text)", arg=expect, timeout=60_000
    )


def test_browser_question_shows_answer_and_highlighted_source(browser, server):
    ARTIFACTS.mkdir(exist_ok=True)
    page, dialogs = open_page(browser, server)
    ask(page, "Who will Putin meet during his visit?", "Xi Jinping")
    page.wait_for_function("() => document.querySelector('#source').innerText.includes('Xi Jinping')", timeout=30_000)
    source = page.locator("#source")
    assert "answer" in source.inner_text().lower()
    assert "2024-05-14" in page.locator("#chat").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)
    page.close()
    assert dialogs == []


def test_browser_follow_up_uses_the_conversation(browser, server):
    page, dialogs = open_page(browser, server)
    ask(page, "When will Putin visit China?", "this week")
    ask(page, "Who will he meet there?", "Xi Jinping")
    page.close()
    assert dialogs == []


def upload(page, path: Path, expect: str) -> None:
    page.click("text=Add articles")
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_timeout(1500)
    page.click("#add-articles")
    page.wait_for_function(
        "text => document.querySelector('#upload-result').innerText.includes(text)", arg=expect, timeout=120_000
    )


def test_browser_upload_is_searchable_at_once(browser, server, tmp_path: Path):
    story = tmp_path / "tram-news.txt"
    story.write_text(
        "New tram line\nThe city of Lumberton opened a tram line to the airport on Saturday. "
        "The line cost 40 million dollars and has nine stops. Mayor Anna Berg rode the first tram."
    )
    page, dialogs = open_page(browser, server)
    upload(page, story, "1 added")
    assert (server["articles"] / "tram-news.txt").is_file()
    ask(page, "How many stops does the Lumberton tram line have?", "nine")
    assert "New tram line" in page.locator("#chat").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-upload.png"), full_page=True)
    page.close()
    assert dialogs == []


def test_browser_uploaded_markup_never_executes(browser, server, tmp_path: Path):
    story = tmp_path / "harbor.txt"
    story.write_text(XSS_TEXT)
    page, dialogs = open_page(browser, server)
    upload(page, story, "1 added")
    ask(page, "Who organised the harbor gala?", "Mira Santos")
    page.wait_for_function("() => document.querySelector('#source').innerText.includes('<script>')", timeout=30_000)
    page.click("text=Other passages")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "chat-xss.png"), full_page=True)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert "<script>" in page.locator("#source").inner_text()  # shown as text
    page.close()
    assert dialogs == []


def test_uploads_stay_inside_the_articles_folder(tmp_path: Path):
    articles = tmp_path / "articles"
    articles.mkdir()
    uploads = tmp_path / "up" / "deep"
    uploads.mkdir(parents=True)
    good = uploads / "story.txt"
    good.write_text("Title\nBody.")
    sneaky = tmp_path / "up" / "..evil.txt"
    sneaky.write_text("Title\nBody.")
    big = uploads / "big.txt"
    big.write_bytes(b"x" * 2048)
    exe = uploads / "run.sh"
    exe.write_text("echo hi")
    saved, problems = save_uploads([good, str(uploads) + "/../../up/..evil.txt", big, exe], articles, max_bytes=1024)
    assert sorted(p.name for p in saved) == ["evil.txt", "story.txt"]
    assert all(p.parent == articles.resolve() for p in saved)
    assert not (tmp_path / "evil.txt").exists()
    assert any("over the" in p for p in problems) and any("not an article file" in p for p in problems)


def test_article_text_is_escaped_and_highlight_uses_offsets(desk):
    assert escape("<img src=x> *bold* [link](http://x)") == "&lt;img src=x&gt; \\*bold\\* \\[link\\]\\(http://x\\)"
    reply = desk.answer("Who will Putin meet during his visit?")
    parts = highlighted_passage(reply)
    assert "".join(text for text, _ in parts) == reply.citation.passage.text
    assert [text for text, label in parts if label == "answer"] == [reply.text]
