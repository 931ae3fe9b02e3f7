"""`qadeck watch --serve`: the output folder on 127.0.0.1 only, GET/HEAD only, nothing outside it,
and the cheat sheet reloading itself in a real browser while its file stays as `qadeck build` writes it."""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import threading

import pytest

from qadeck.build import build
from qadeck.config import Config
from qadeck.serve import RELOAD_PATH, LiveServer, Site, reload_script, with_reload
from tests import test_cheatsheet as sheet
from tests.conftest import write_notes
from tests.watching import Watching

NOTE = "# 注意力\n\n## 什么是注意力?\n\n{answer}\n\n## 为什么要缩放?\n\n防止 softmax 饱和。\n"
PAGE = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src '
        "'none'; script-src 'sha256-abc='; base-uri 'none'\"><script>x()</script></head><body></body></html>")


def get(server: LiveServer, path: str, method: str = "GET", host: str | None = None) -> tuple[int, bytes]:
    """One raw request, the path sent exactly as given (no client normalising `..`)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server.server_address[1], timeout=60)
    connection.putrequest(method, path, skip_host=host is not None)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.fixture
def served(tmp_path):
    out = tmp_path / "out"
    write_notes(out, {"qadeck.html": PAGE, "qadeck.json": "{}", ".cache/math.sqlite": "x"})
    write_notes(tmp_path, {"secret.md": "the notes"})
    (out / "leak.md").symlink_to(tmp_path / "secret.md")
    server = LiveServer(Site(out, "qadeck.html"), 0)
    server.start()
    yield server
    server.stop()


# -- the served page -----------------------------------------------------------------------------

def test_served_page_admits_exactly_the_reload_script_and_its_own_origin():
    served = with_reload(PAGE, "t.1")
    script = reload_script("t.1")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = re.search(r'content="([^"]*)"', served).group(1)
    assert policy == (f"default-src 'none'; script-src 'sha256-abc=' 'sha256-{digest}'; base-uri 'none'; "
                      "connect-src 'self'")
    assert re.findall(r"<script>(.*?)</script>", served, re.S) == ["x()", script]
    assert RELOAD_PATH in script and "http" not in script  # same origin, by path only


def test_serves_the_cheat_sheet_with_the_reload_script_and_other_files_as_written(served, tmp_path):
    status, body = get(served, "/")
    assert status == 200 and "__qadeck_reload" in body.decode() and "connect-src 'self'" in body.decode()
    assert get(served, "/qadeck.html") == (status, body)
    assert get(served, "/qadeck.json") == (200, b"{}")
    assert get(served, "/qadeck.json", "HEAD") == (200, b"")
    assert (tmp_path / "out" / "qadeck.html").read_text(encoding="utf-8") == PAGE  # the file is untouched


def test_before_a_build_wrote_the_page_a_placeholder_waits_for_it(tmp_path):
    server = LiveServer(Site(tmp_path, "qadeck.html"), 0)
    server.start()
    try:
        status, body = get(server, "/")
    finally:
        server.stop()
    assert status == 503 and "the last build did not write it" in body.decode()
    assert RELOAD_PATH in body.decode() and "connect-src 'self'" in body.decode()


@pytest.mark.parametrize("path", ["/../secret.md", "/%2e%2e/secret.md", "/..%2fsecret.md", "//etc/passwd",
                                  "/%2Fetc%2Fpasswd", "/leak.md", "/.cache/math.sqlite", "/missing.html",
                                  "/%00", "/qadeck.html%00.png"])
def test_nothing_outside_the_output_folder_nor_hidden_is_served(served, path):
    status, body = get(served, path)
    assert status == 404 and b"the notes" not in body


def test_only_get_and_head_and_only_a_local_host(served):
    for method in ("POST", "PUT", "DELETE"):
        assert get(served, "/qadeck.json", method)[0] == 405
    assert get(served, "/qadeck.json", host="evil.example:80")[0] == 403
    assert get(served, "/qadeck.json", host="localhost")[0] == 200


def test_reload_endpoint_answers_when_a_build_writes_the_page(served):
    token = get(served, RELOAD_PATH + "?since=")[1].decode()  # another token: answered at once
    answers: list[bytes] = []
    waiting = threading.Thread(target=lambda: answers.append(get(served, f"{RELOAD_PATH}?since={token}")[1]))
    waiting.start()
    served.rebuilt()
    waiting.join(timeout=60)
    assert answers and answers[0].decode() not in ("", token)


# -- end to end, in Chromium ---------------------------------------------------------------------

browser = sheet.browser  # the Chromium fixture of test_cheatsheet


def test_watch_serve_reloads_the_open_page_with_the_new_answer(browser, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # as in the watch's environment
    write_notes(tmp_path / "notes", {"attention_QA.md": NOTE.format(answer="旧答案：加权求和。")})
    note = tmp_path / "notes" / "attention_QA.md"
    with Watching(tmp_path, "--out", "out", "--serve", "--port", "0") as watching:
        url = watching.wait_for(r"serving the cheat sheet at (http://127\.0\.0\.1:\d+/)$").group(1)
        context = browser.new_context()
        page = context.new_page()
        complaints: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and complaints.append(m.text))
        page.on("pageerror", lambda e: complaints.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        assert "旧答案" in page.inner_text("main")
        written = (tmp_path / "out" / "qadeck.html").read_text(encoding="utf-8")
        own = re.search(r"<script>(.*?)</script>", written, re.S).group(1)
        scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent)")
        assert len(scripts) == 2 and scripts[0] == own and RELOAD_PATH in scripts[1]

        note.write_text(NOTE.format(answer="新答案：缩放点积。"), encoding="utf-8")
        watching.wait_for(r"attention_QA.md changed · json, anki, html in ")
        # The page reloads itself (the test never does); a locator, since the CSP forbids eval.
        page.locator("main", has_text="新答案").wait_for(timeout=120_000)
        assert "旧答案" not in page.inner_text("main")
        assert page.eval_on_selector_all("script", "els => els.length") == 2
        assert complaints == []  # no CSP violation, no script error
        assert {r.split("/")[2] for r in requests if not r.startswith("data:")} == {url.split("/")[2]}
        assert watching.stop() == 0  # while the page still waits on the server
        context.close()

    plain = Config(notes=tmp_path / "notes", out=tmp_path / "plain")
    build(plain, ["html"])
    assert (tmp_path / "out" / "qadeck.html").read_bytes() == \
        (tmp_path / "plain" / "qadeck.html").read_bytes()


def test_a_page_closed_while_waiting_is_no_trace(served, capsys):
    for error in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        try:
            raise error
        except ConnectionError:
            served.server.handle_error(None, ("127.0.0.1", 1))
    try:
        raise ValueError("odd")
    except ValueError:
        served.server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == "qadeck: serving ('127.0.0.1', 1): ValueError: odd\n"


def test_the_reload_script_goes_before_the_head_end_whatever_the_title():
    page = "<html><head><title>İİİİİİİİİİ</title></HEAD ><body>正文</body></html>"
    served = with_reload(page, "t")
    assert "<body>正文</body>" in served and served.index("<script>") < served.index("</HEAD >")


def test_a_cheat_sheet_that_is_not_utf8_is_served_not_dropped(served):
    root = served.snapshot()[0]
    (root / "qadeck.html").write_bytes(PAGE.encode() + b"<p>\xff\xfe caf\xe9 \xe4\xb8</p>")
    status, body = get(served, "/")
    assert status == 200
    text = body.decode("utf-8")  # what the server sends is UTF-8, the bad bytes shown as U+FFFD
    assert "\ufffd caf\ufffd" in text and "connect-src 'self'" in text
