"""The chat, end to end: a real server (python app.py), gradio_client, and headless Chromium
driven by Playwright.

The archive holds the seed article and stories where a follow-up alone is ambiguous: "Who will he
meet there?" asked on its own finds the coach who meets the club owner, not Putin.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, ROOT, SEED_ID, SEEDS, STORIES, needs_chromium, write_story

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
COACH = (
    "Coach travels to Madrid\n"
    "Coach Leon Park will travel to Madrid next week. There he will meet the club's new owner, Maria Ruiz, "
    "to discuss the coming season. Park said he expected a long meeting."
)
FOLLOW_UP = ("When will Putin visit China?", "Who will he meet there?")
WIDTHS = [1400, 390]  # a desktop and a phone


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_archive(folder: Path) -> Path:
    articles = folder / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    for key in STORIES:
        write_story(articles, key)
    (articles / "coach.txt").write_text(COACH)
    (articles / "old-news.json").write_text(
        json.dumps(
            {
                "id": "old-news",
                "title": "Harbour ferry strike ends",
                "date": "2019-03-05",
                "url": "https://example.org/ferry",
                "text": "The harbour ferry strike ended on Tuesday after nine days. Crews won a pay rise of 4%.",
            }
        )
    )
    return articles


def start_server(folder: Path, articles: Path, *extra: str, wait_for_index: bool = True) -> dict:
    port = free_port()
    log_path = folder / f"app-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_server
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), "--articles", str(articles), "--index", str(folder / "index"),
         *extra],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 240
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited: {log_path.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except urllib.error.HTTPError:  # e.g. 401 behind a login: it is up
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("app.py did not start within 240 s")
    server = {"url": url, "articles": articles, "folder": folder, "process": process, "log": log, "path": log_path}
    if wait_for_index:
        while "index ready" not in log_path.read_text():
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"the index was not built: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
    return server


def stop_server(server: dict) -> None:
    server["process"].terminate()
    server["process"].wait(timeout=30)
    server["log"].close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    running = start_server(folder, make_archive(folder))
    yield running
    stop_server(running)


def client(server, **options):
    from gradio_client import Client

    return Client(server["url"], verbose=False, **options)


# ---------------------------------------------------------------- the API


def test_chat_endpoint_takes_the_question_alone(server):
    reply, source, article, _ = client(server).predict(
        "Who will Putin meet during his state visit to China?", api_name="/chat"
    )
    assert "Xi Jinping" in reply and "2024-05-14" in reply and "\\-" not in reply
    assert '<mark class="answer">Xi Jinping</mark>' in source
    assert 'id="cited-span">Xi Jinping</mark>' in article


def test_chat_endpoint_follows_the_conversation(server):
    alone = client(server).predict(FOLLOW_UP[1], api_name="/chat")[0]
    assert "Xi Jinping" not in alone  # the follow-up alone is ambiguous in this archive
    conversation = client(server)
    conversation.predict(FOLLOW_UP[0], api_name="/chat")
    assert "Xi Jinping" in conversation.predict(FOLLOW_UP[1], api_name="/chat")[0]


def test_structured_answer_endpoint(server):
    data = client(server).predict("Who will Putin meet during his state visit to China?", api_name="/answer")
    assert data["found"] and data["text"] == "Xi Jinping" and 0.5 < data["confidence"] <= 1.0
    citation = data["citations"][0]
    assert citation["article_id"] == SEED_ID and citation["date"] == "2024-05-14"
    seed = (server["articles"] / f"{SEED_ID}.txt").read_text().split("\n", 1)[1].strip()
    assert seed[citation["start"] : citation["end"]] == "Xi Jinping" and "Xi Jinping" in citation["sentence"]
    follow = client(server).predict(FOLLOW_UP[1], [FOLLOW_UP[0]], api_name="/answer")
    assert follow["text"] == "Xi Jinping"
    nothing = client(server).predict("What is the boiling point of liquid nitrogen?", api_name="/answer")
    assert not nothing["found"] and nothing["citations"] == [] and "couldn't find" in nothing["message"]


def test_errors_come_back_as_errors(server):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="The from date 'yesterday' is not a date"):
        client(server).predict("Who will Putin meet?", "yesterday", api_name="/chat")
    with pytest.raises(AppError, match="top_k must be a whole number from 1 to 20"):
        client(server).predict("Who will Putin meet?", top_k=-3, api_name="/answer")
    with pytest.raises(AppError, match="is after the to date"):
        client(server).predict("Who?", None, "2024-06-01", "2024-05-01", api_name="/answer")


def test_relative_dates_show_the_day_they_mean(server):
    data = client(server).predict("When does Putin's visit begin?", api_name="/answer")
    assert data["text"] == "Thursday" and data["citations"][0]["resolved_date"] == "Thursday, 16 May 2024"
    reply = client(server).predict("When does Putin's visit begin?", api_name="/chat")[0]
    assert "Thursday, 16 May 2024" in reply


def test_uploads_through_the_api_never_overwrite(server, tmp_path: Path):
    from gradio_client import handle_file

    seed_before = (server["articles"] / f"{SEED_ID}.txt").read_bytes()
    impostor = tmp_path / f"{SEED_ID}.txt"
    impostor.write_text("date 2024-05-20\nPutin cancelled the visit and will meet nobody.")
    shadow = tmp_path / "0.json"
    shadow.write_text(json.dumps({"id": "chess", "title": "Chess", "text": "Someone else won the chess final."}))
    result = client(server).predict([handle_file(impostor), handle_file(shadow)], api_name="/add_articles")[0]
    assert (server["articles"] / f"{SEED_ID}.txt").read_bytes() == seed_before
    assert f"saved as {SEED_ID}-2.txt" in result
    assert "already holds article id 'chess'" in result and not (server["articles"] / "0.json").exists()
    assert str(server["folder"]) not in result and "/tmp" not in result
    chess = client(server).predict("Who won the world chess championship final?", api_name="/answer")
    assert chess["text"] == "Magnus Carlsen"
    removed = client(server).predict(f"{SEED_ID}-2", "", api_name="/remove_article")[0]
    assert (
        f"({SEED_ID}-2): it no longer answers questions" in removed
        and not (server["articles"] / f"{SEED_ID}-2.txt").exists()
    )


# ---------------------------------------------------------------- serving safely


def test_read_only_login_server_has_no_upload_endpoint(tmp_path: Path):
    from gradio_client.exceptions import AuthenticationError

    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    server = start_server(tmp_path, articles, "--read-only", "--auth", "ana:s3cret")
    try:
        with pytest.raises((AuthenticationError, ValueError)):
            client(server).predict("Who will Putin meet?", api_name="/answer")
        with pytest.raises(ValueError, match="Could not login"):
            client(server, auth=("ana", "wrong"))
        logged_in = client(server, auth=("ana", "s3cret"))
        assert logged_in.predict("Who will Putin meet during his visit?", api_name="/answer")["text"] == "Xi Jinping"
        assert "/add_articles" not in logged_in.view_api(return_format="dict", print_info=False)["named_endpoints"]
        assert "remove_article" not in str(logged_in.view_api(return_format="dict", print_info=False))
        with pytest.raises(ValueError, match="Cannot find a function"):
            logged_in.predict([], api_name="/add_articles")
    finally:
        stop_server(server)


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser():
    needs_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield instance
        instance.close()


def open_page(browser, server, width: int = 1400):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server["url"])  # never wait for networkidle: Gradio keeps a heartbeat open
    page.wait_for_selector("#question textarea", timeout=60_000)
    return page, dialogs


def ask(page, question: str, expect: str) -> None:
    page.get_by_role("textbox", name="Your question").fill(question)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_function(
        "text => document.querySelector('#chat').innerText.includes(text)", arg=expect, timeout=60_000
    )


def contrast(page, selector: str) -> float:
    """WCAG contrast ratio of an element's text against the background it is drawn on."""
    colours = page.eval_on_selector(
        selector,
        """e => { let b = e; let bg = getComputedStyle(b).backgroundColor;
        while (b && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) { b = b.parentElement;
          bg = b ? getComputedStyle(b).backgroundColor : 'rgb(255, 255, 255)'; }
        return [getComputedStyle(e).color, bg]; }""",
    )

    def luminance(css: str) -> float:
        red, green, blue = (int(float(part)) / 255 for part in css[css.index("(") + 1 : -1].split(",")[:3])
        channel = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
        return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]

    light, dark = sorted((luminance(colours[0]), luminance(colours[1])), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("width", [1400, 390])
def test_browser_answer_with_openable_source(browser, server, width: int):
    ARTIFACTS.mkdir(exist_ok=True)
    page, dialogs = open_page(browser, server, width)
    ask(page, "Who will Putin meet during his visit?", "Xi Jinping")
    page.wait_for_selector("#source mark.answer", timeout=30_000)
    assert page.inner_text("#source mark.answer") == "Xi Jinping"
    source = page.inner_text("#source")
    assert "Russian President Vladimir Putin will make a two-day state visit" in source and "2024-05-14" in source
    # Inline: the marked span sits on the same line as the words around it.
    mark_box = page.locator("#source mark.answer").bounding_box()
    line = page.evaluate(
        "() => { const m = document.querySelector('#source mark.answer'); const r = document.createRange();"
        " r.setStart(m.previousSibling, m.previousSibling.length - 3); r.setEnd(m.previousSibling,"
        " m.previousSibling.length); return r.getBoundingClientRect().top; }"
    )
    assert abs(line - mark_box["y"]) < mark_box["height"]
    assert contrast(page, "#source mark.answer") >= 4.5
    # The whole article, with the span marked and scrolled into its view.
    page.wait_for_selector("#article-view #cited-span", timeout=30_000)
    view = page.inner_text("#article-view")
    assert "China supported Russia politically" in view  # beyond the cited passage
    page.wait_for_timeout(300)
    inside = page.evaluate(
        "() => { const box = document.querySelector('#article-view .article').getBoundingClientRect();"
        " const m = document.querySelector('#cited-span').getBoundingClientRect();"
        " return m.top >= box.top && m.bottom <= box.bottom; }"
    )
    assert inside
    if width == 390:  # the answer and its source stay together on a phone
        chat_bottom = page.locator("#chat").bounding_box()
        source_top = page.locator("#source").bounding_box()["y"]
        assert source_top - (chat_bottom["y"] + chat_bottom["height"]) < 300
    page.screenshot(path=str(ARTIFACTS / f"chat-answer-{width}.png"), full_page=True)
    page.close()
    assert dialogs == []


ANSWER_LINE = """() => { const rows = document.querySelectorAll('#chat .message-row.bot-row');
  const line = rows[rows.length - 1]?.querySelector('strong'); if (!line) return null;
  const r = line.getBoundingClientRect();
  const box = document.querySelector('#chat .bubble-wrap').getBoundingClientRect();
  return {text: line.innerText, top: r.top, bottom: r.bottom, boxTop: box.top, boxBottom: box.bottom,
          height: window.innerHeight}; }"""


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_shows_the_answer_line_when_it_arrives(browser, server, width: int):
    page, dialogs = open_page(browser, server, width)
    page.set_viewport_size({"width": width, "height": 844})
    for question, answer in [("Who will Putin meet during his visit?", "Xi Jinping"), (FOLLOW_UP[0], "this week")]:
        ask(page, question, answer)
        page.wait_for_timeout(900)  # the scroll runs just after the reply is drawn (last at 600 ms)
        line = page.evaluate(ANSWER_LINE)
        assert line["text"].startswith(answer.split()[0]), line
        # Inside the conversation box and inside the window: the reader sees the answer, not its end.
        assert line["boxTop"] <= line["top"] and line["bottom"] <= line["boxBottom"], line
        assert line["top"] >= 0 and line["bottom"] <= line["height"], line
    # Gradio's toolbar sits above the messages, never over the reply's text.
    toolbar = page.locator("#chat .top-panel").bounding_box()
    reply = page.locator("#chat .message-row.bot-row").last.bounding_box()
    assert (
        toolbar is None
        or toolbar["y"] + toolbar["height"] <= reply["y"]
        or reply["y"] + reply["height"] <= toolbar["y"]
    )
    if width == 390:  # the source is one tap away
        page.click("#to-source a")
        page.wait_for_timeout(500)
        source = page.locator("#source").bounding_box()
        assert 0 <= source["y"] < 844
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_follow_up_uses_the_conversation(browser, server, width: int):
    page, dialogs = open_page(browser, server, width)
    ask(page, FOLLOW_UP[0], "this week")
    ask(page, FOLLOW_UP[1], "Xi Jinping")
    assert "Maria Ruiz" not in page.inner_text("#chat")
    page.close()
    assert dialogs == []


def test_browser_a_yes_or_no_question_gets_the_sentence_to_judge_not_an_answer(browser, server):
    data = client(server).predict("Did Putin visit China?", api_name="/answer")
    assert data["found"] and data["yes_no"] and not data["sure"] and data["confidence_words"] == ""
    assert "two-day state visit to China" in data["text"] and data["citations"][0]["article_id"] == SEED_ID
    page, dialogs = open_page(browser, server, 1400)
    ask(page, "Did Putin visit China?", "rather than answer yes or no")
    shown = page.inner_text("#chat").split("rather than answer yes or no")[-1]
    assert "two-day state visit to China" in shown and "likely right" not in shown and "confidence" not in shown
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_source_links_to_the_article_url(browser, server, width: int):
    page, dialogs = open_page(browser, server, width)
    ask(page, "How long did the harbour ferry strike last?", "nine days")
    link = page.locator("#source a")
    assert link.get_attribute("href") == "https://example.org/ferry" and link.get_attribute("target") == "_blank"
    assert "Harbour ferry strike ends" in link.inner_text()
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_date_filter_checks_fields_and_names_itself(browser, server, width: int):
    page, dialogs = open_page(browser, server, width)
    page.get_by_role("textbox", name="From date").fill("2024-06-01")
    page.get_by_role("textbox", name="To date").fill("2024-05-01")
    page.get_by_role("textbox", name="To date").press("Tab")
    page.wait_for_function(
        "() => document.querySelector('#filter-note').innerText.includes('is after the to date')", timeout=30_000
    )
    page.get_by_role("textbox", name="From date").fill("")
    page.get_by_role("textbox", name="From date").press("Tab")
    page.wait_for_function(
        "() => document.querySelector('#filter-note').innerText.includes('Filter on')", timeout=30_000
    )
    assert "left out" in page.inner_text("#filter-note")  # the rule for undated articles
    ask(page, "Who will Putin meet during his visit?", "couldn't find")
    assert "dated up to 2024-05-01" in page.inner_text("#chat")
    assert "Xi Jinping" not in page.inner_text("#chat")
    page.screenshot(path=str(ARTIFACTS / f"chat-filter-{width}.png"), full_page=True)
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_example_asks_at_once_and_keeps_the_filter(browser, server, width: int):
    page, dialogs = open_page(browser, server, width)
    page.get_by_role("textbox", name="To date").fill("2023-01-01")
    page.get_by_role("textbox", name="To date").press("Tab")
    page.get_by_text("Who will Putin meet during his visit?").first.click()
    page.wait_for_function(
        "() => document.querySelector('#chat').innerText.includes(\"couldn't find\")", timeout=60_000
    )
    assert page.get_by_role("textbox", name="To date").input_value() == "2023-01-01"
    page.close()
    assert dialogs == []


def test_browser_a_refused_question_leaves_the_chat_usable(browser, server):
    page, dialogs = open_page(browser, server)
    page.get_by_role("textbox", name="From date").fill("bogus")
    ask(page, "Who will Putin meet during his visit?", "is not a date")
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=30_000)
    page.get_by_role("textbox", name="From date").fill("")
    ask(page, "Who will Putin meet during his visit?", "Xi Jinping")
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_accessible_names(browser, server, width: int):
    page, _ = open_page(browser, server, width)
    assert page.get_by_role("textbox", name="Your question").count() == 1
    assert page.get_by_role("button", name="Ask").count() == 1
    assert (
        page.get_by_role("textbox", name="From date").count() == 1
        and page.get_by_role("textbox", name="To date").count() == 1
    )
    assert contrast(page, "footer a") >= 4.5 and contrast(page, "#filter-note p") >= 4.5
    page.close()


def upload(page, path: Path, expect: str) -> None:
    page.click("#add-panel button")
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_timeout(1500)
    page.click("#add-articles")
    page.wait_for_function(
        "text => document.querySelector('#upload-result')?.innerText.includes(text)", arg=expect, timeout=120_000
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_upload_is_searchable_at_once(browser, server, tmp_path: Path, width: int):
    story = tmp_path / f"tram-news-{width}.txt"
    story.write_text(
        "New tram line\nThe city of Lumberton opened a tram line to the airport on Saturday. "
        f"The line cost 40 million dollars and has nine stops. Mayor Anna Berg rode the first tram ({width})."
    )  # a text of its own per width: the same text twice is refused as a copy
    page, dialogs = open_page(browser, server, width)
    page.wait_for_function("() => document.querySelector('#index-status')?.innerText.includes('articles')")
    before = int(page.inner_text("#index-status").split()[0].replace(",", ""))
    upload(page, story, "Indexed.")
    assert f"Added tram-news-{width}.txt: 1 article: “New tram line”" in page.inner_text("#upload-result")
    assert (server["articles"] / f"tram-news-{width}.txt").is_file()
    ask(page, "How many stops does the Lumberton tram line have?", "nine")
    assert "New tram line" in page.inner_text("#chat")
    assert page.inner_text("#index-status").startswith(f"{before + 1} articles")  # the status line follows
    page.screenshot(path=str(ARTIFACTS / f"chat-upload-{width}.png"), full_page=True)
    page.close()
    assert dialogs == []


def test_browser_uploaded_markup_never_executes(browser, server, tmp_path: Path):
    story = tmp_path / "harbor.txt"
    story.write_text(XSS_TEXT)
    page, dialogs = open_page(browser, server)
    upload(page, story, "Indexed.")
    ask(page, "Who organised the harbor gala?", "Mira Santos")
    page.wait_for_function("() => document.querySelector('#source').innerText.includes('<script>')", timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "chat-xss.png"), full_page=True)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert "<script>" in page.inner_text("#source")  # shown as text
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_archive_lists_searches_and_removes(browser, server, width: int):
    page, dialogs = open_page(browser, server, width)
    page.click("#archive-panel button")
    page.wait_for_function(
        "() => document.querySelector('#article-list')?.innerText.includes('Floods hit Valencia')", timeout=30_000
    )
    page.get_by_label("Find articles").fill("valencia")
    page.wait_for_function(
        "() => !(document.querySelector('#article-list')?.innerText ?? 'Carlsen wins').includes('Carlsen wins')",
        timeout=30_000,
    )
    assert "flood" in page.inner_text("#article-list")
    page.wait_for_function("() => document.querySelector('#archive-note')?.innerText.includes('1 article match')")
    if width == 390:  # ids stay on one line on a phone
        ids = page.eval_on_selector_all(
            "#article-list tbody td:nth-child(3)",
            "cells => cells.map(c => [c.innerText, c.getBoundingClientRect().height])",
        )
        assert ids and all(height < 40 for _, height in ids), ids
    page.get_by_label("Find articles").fill("zzqx volcano")  # a search that matches nothing says so
    page.wait_for_function(
        "() => document.querySelector('#archive-note')?.innerText.includes('No article matches “zzqx volcano”')",
        timeout=30_000,
    )
    page.get_by_label("Find articles").fill("valencia")
    page.wait_for_function("() => document.querySelector('#article-list')?.innerText.includes('flood')")
    page.get_by_label("Id of the article to remove").fill("no-such-article")
    page.click("#remove-article")
    page.wait_for_function(
        "() => document.querySelector('#remove-result')?.innerText.includes('no article with id')", timeout=60_000
    )
    assert "flood" in page.inner_text("#article-list")  # the list is still there
    page.get_by_label("Id of the article to remove").fill("flood")
    page.click("#remove-article")
    page.wait_for_function(
        "() => document.querySelector('#remove-result')?.innerText.includes('(flood): it no longer answers')",
        timeout=60_000,
    )
    assert not (server["articles"] / "flood.json").exists()
    assert (server["articles"] / ".removed" / "flood.json").is_file()  # kept, not destroyed
    assert "Floods hit Valencia" not in page.inner_text("#article-list")
    data = client(server).predict("Where did the flash floods happen?", api_name="/answer")
    assert not (data["found"] and data["citations"][0]["article_id"] == "flood")
    from gradio_client import handle_file

    restored = client(server).predict(
        [handle_file(server["articles"] / ".removed" / "flood.json")], api_name="/add_articles"
    )
    assert "Added flood.json: 1 article" in restored[0]
    (server["articles"] / ".removed" / "flood.json").unlink()
    page.close()
    assert dialogs == []


def test_browser_page_opens_while_the_index_is_built(browser, tmp_path: Path):
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    with open(articles / "bulk.jsonl", "w") as bulk:
        for number in range(500):
            text = " ".join(f"Council meeting {number} discussed budget item {i} at length." for i in range(30))
            bulk.write(json.dumps({"id": f"bulk{number}", "title": f"Report {number}", "text": text}) + "\n")
    server = start_server(tmp_path, articles, wait_for_index=False)
    try:
        page, dialogs = open_page(browser, server)
        # A new archive answers from its first ~256 passages (the seed's file comes first) while the
        # rest are embedded, and the status line says how far the rest is.
        page.wait_for_function(
            "() => /Answering from \\d+ of 501 articles while the rest are indexed: [\\d,]+ of ~?[\\d,]+ passages "
            "embedded \\(.*about \\d+ (s|min) left\\); 0 of \\d+ articles done/"
            ".test(document.querySelector('#index-status')?.innerText ?? '')",
            timeout=120_000,
        )
        ask(page, "Who will Putin meet during his visit?", "Xi Jinping")
        page.wait_for_function(
            "() => document.querySelector('#index-status')?.innerText.includes('501 articles ·')", timeout=240_000
        )
        page.close()
        assert dialogs == []
        log = server["path"].read_text()
        parts = re.search(r"answering from (\d+) article\(s\) while (\d+) more are indexed", log)
        first, rest = int(parts.group(1)), int(parts.group(2))
        assert first + rest == 501 and 0 < first < 100
        assert "serving http://127.0.0.1" in log
        assert f"index ready: {rest} added, 0 updated, 0 removed, {first} unchanged" in log
        assert "indexing: reading and splitting 501 articles" in log and "passages embedded" in log  # terminal
    finally:
        stop_server(server)


def test_readme_client_example(server):
    """The README's gradio_client example, run as written against a real server."""
    import ast
    import re

    readme = (ROOT / "README.md").read_text()
    block = re.search(r"test_readme_client_example -->\n```python\n(.*?)```", readme, re.DOTALL).group(1)
    code, expected = block.rsplit("\n# ", 1)
    *statements, last = code.strip().splitlines()
    scope: dict = {}
    exec("\n".join(statements).replace("http://127.0.0.1:7860/", server["url"]), scope)
    assert eval(last, scope) == ast.literal_eval(expected.strip())
