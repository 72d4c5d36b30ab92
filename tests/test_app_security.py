"""The chat server's doors, in-process (a real Gradio server on a free port, no models needed):
behind --auth every route but the login page's refuses without credentials; bad inputs are
refused with one log line and no traceback; no message to a client names a server path."""

from __future__ import annotations

import json
import logging
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import gradio as gr
import pytest
from fastapi.routing import _IncludedRouter

from qa import Newsdesk
from qa.chat import build_app, launch_options
from qa.login_gate import is_public
from qa.serve_options import ServeOptions
from tests.conftest import SEED_ID, SEEDS, needs_chromium
from tests.test_app import free_port

LOGIN = ("ana", "s3cret-pw")


def launched(
    tmp_path: Path, auth: tuple[tuple[str, str], ...] = (), embedder: object = None
) -> tuple[gr.Blocks, object, str]:
    """The app over an archive with no index yet (auto_sync off: nothing loads a model), or, given
    an ``embedder``, an index of it."""
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    desk = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", auto_sync=False, embedding_model=embedder)
    if embedder is not None:
        desk.sync()
    app = build_app(desk)
    options = ServeOptions("127.0.0.1", free_port(), auth, read_only=False, max_upload_bytes=5_000_000)
    fastapi_app, url, _ = app.queue().launch(prevent_thread_lock=True, **launch_options(options))
    return app, fastapi_app, url.rstrip("/")


def routes(table: list, prefix: str = "") -> list[tuple[str, str]]:
    """Every (method, path) the app serves, through included routers and mounts."""
    found = []
    for route in table:
        if isinstance(route, _IncludedRouter):
            found += routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "routes") and not hasattr(route, "methods"):
            found += routes(route.routes, prefix + getattr(route, "path", ""))
        else:
            path = prefix + getattr(route, "path", "")
            found += [(method, path) for method in sorted(getattr(route, "methods", None) or ()) if method != "HEAD"]
    return found


def status_of(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_every_route_behind_a_login_refuses_without_credentials(tmp_path: Path):
    app, fastapi_app, url = launched(tmp_path, auth=(LOGIN,))
    try:
        table = routes(fastapi_app.routes)
        assert ("POST", "/gradio_api/call/{api_name}") in table and ("GET", "/gradio_api/info") in table
        guarded = [(m, p) for m, p in table if not is_public(m, p)]
        assert len(guarded) > 50
        open_routes = []
        for method, path in guarded:
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            body = b"{}" if method != "GET" else None
            code, _ = status_of(method, url + concrete, body, {"Content-Type": "application/json"})
            if code != 401:
                open_routes.append((method, path, code))
        assert open_routes == []
        assert status_of("GET", url + "/openapi.json")[0] in (401, 404)
        # What stays public is the login page itself, which shows nothing of the archive.
        code, page = status_of("GET", url + "/")
        assert code == 200 and b"Putin" not in page and b"/answer" not in page
        # With credentials the API works.
        from gradio_client import Client
        from gradio_client.exceptions import AppError

        client = Client(url + "/", auth=LOGIN, verbose=False)
        with pytest.raises(AppError, match="must be text, not int"):
            client.predict(5, api_name="/answer")
    finally:
        app.close()


def call(url: str, api: str, payload: str) -> tuple[str, dict | list]:
    """One raw API call, as any HTTP client may send it (gradio_client refuses to encode some)."""
    code, body = status_of(
        "POST", f"{url}/gradio_api/call/{api}", payload.encode(), {"Content-Type": "application/json"}
    )
    assert code == 200, body
    event = json.loads(body)["event_id"]
    _, stream = status_of("GET", f"{url}/gradio_api/call/{api}/{event}")
    kind = re.search(rb"event: (\w+)", stream).group(1).decode()
    data = json.loads(stream.split(b"data: ", 1)[1].split(b"\n", 1)[0])
    return kind, data


BAD_INPUTS = [
    ("answer", '{"data": ["Who \\ud800 meets?", null, null, null, 4, null]}', "not valid text"),
    ("answer", '{"data": [5, null, null, null, 4, null]}', "must be text, not int"),
    ("answer", '{"data": [["Who will Putin meet?"], null, null, null, 4, null]}', "must be text, not list"),
    ("answer", '{"data": ["Who will Putin meet?", null, null, null, NaN, null]}', "top_k must be a whole number"),
    ("answer", '{"data": ["Who will Putin meet?", null, null, null, 4, "' + "x" * 201 + '"]}', "201 characters"),
    ("answer", '{"data": ["Who will Putin meet?", null, null, null, 4, 7]}', "source must be text, not int"),
    ("answer", '{"data": ["Who will Putin meet?", null, null, null, 4, "AP\\udc00"]}', "not valid text"),
    ("chat", '{"data": [5, [], "", "", ""]}', "must be text, not int"),
    ("chat", '{"data": [["Who will Putin meet?"], [], "", "", ""]}', "must be text, not list"),
    ("chat", '{"data": ["Who will Putin meet?", [], "", NaN, ""]}', "must be text, not float"),
    ("chat", '{"data": ["Who \\ud800 meets?", [], "", "", ""]}', "not valid text"),
]


def test_bad_inputs_are_refused_with_one_log_line_and_no_traceback(tmp_path: Path, caplog, capfd):
    app, _, url = launched(tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="qa.chat"):
            for api, payload, message in BAD_INPUTS:
                kind, data = call(url, api, payload)
                assert (kind, message) == ("error", message) and message in data["error"], (payload, data)
        refusals = [r for r in caplog.records if r.getMessage().startswith("refused:")]
        assert len(refusals) == len(BAD_INPUTS)
        assert "Traceback" not in capfd.readouterr().err
    finally:
        app.close()


def test_messages_to_clients_never_name_a_server_path(tmp_path: Path, caplog):
    app, _, url = launched(tmp_path)  # the index was never built: answering fails
    try:
        from gradio_client import Client
        from gradio_client.exceptions import AppError

        client = Client(url + "/", verbose=False)
        with pytest.raises(AppError) as refused:
            client.predict("Who will Putin meet?", api_name="/answer")
        assert "index is not available" in str(refused.value)
        assert str(tmp_path) not in str(refused.value) and "/index" not in str(refused.value)
        assert any(str(tmp_path) in r.getMessage() for r in caplog.records)  # the terminal has the details
        with pytest.raises(AppError) as refused:
            client.predict("Who will Putin meet?", api_name="/chat")
        assert "index is not available" in str(refused.value) and str(tmp_path) not in str(refused.value)
        # A file reference to a server file is refused without echoing the path back.
        store = tmp_path / "index" / "chunks.sqlite"
        store.parent.mkdir()
        store.write_text("not yours")
        upload = {"path": str(store), "meta": {"_type": "gradio.FileData"}, "orig_name": "a.txt"}
        kind, data = call(url, "add_articles", json.dumps({"data": [[upload]]}))
        assert kind == "error" and str(tmp_path) not in json.dumps(data)
    finally:
        app.close()


@pytest.mark.browser
def test_the_login_page_works_in_the_browser_through_the_gate(tmp_path: Path):
    from tests.test_app import CHROMIUM, LAUNCH_ARGS

    needs_chromium()
    from playwright.sync_api import sync_playwright

    app, _, url = launched(tmp_path, auth=(LOGIN,))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(url + "/")
            page.get_by_label("username").fill(LOGIN[0])
            page.get_by_label("password").fill(LOGIN[1])
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#question textarea", timeout=60_000)
            assert page.locator("#source-filter input, #source-filter textarea").count() == 1
            browser.close()
    finally:
        app.close()


def test_a_file_of_another_type_is_refused_by_name_not_by_gradio(tmp_path: Path, embedder):
    from gradio_client import Client, handle_file

    app, _, url = launched(tmp_path, embedder=embedder)
    try:
        bundle = tmp_path / "photos.zip"
        bundle.write_bytes(b"PK\x03\x04 not an article")
        program = tmp_path / "setup.exe"
        program.write_bytes(b"MZ\x90\x00")
        message, *_ = Client(url + "/", verbose=False).predict(
            [handle_file(bundle), handle_file(program)], api_name="/add_articles"
        )
        assert message.startswith("Refused photos.zip: not an article file (use .txt, .md")
        assert "Refused setup.exe: not an article file" in message and "Invalid file type" not in message
        assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == [f"{SEED_ID}.txt"]
        big = tmp_path / "big-story.txt"
        big.write_text("Big story\n" + "The council met again. " * 270_000)  # 6.2 MB: over the 5 MB limit
        message, *_ = Client(url + "/", verbose=False).predict([handle_file(big)], api_name="/add_articles")
        assert message == "Refused big-story.txt: 6.2 MB is over the 5.0 MB limit for uploads"
    finally:
        app.close()
