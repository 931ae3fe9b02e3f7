"""`qadeck watch --serve`: the output folder on 127.0.0.1, and the cheat sheet reloading itself after
each rebuild.

The written cheat sheet stays as `qadeck build` writes it (its CSP allows no network and no script but
its own). Only the copy this server SENDS gets a small reload script, and its CSP gets that script's
hash and `connect-src 'self'`, so the page may ask this server — and nothing else — whether a newer
build exists. The script long-polls `/__qadeck_reload?since=TOKEN`, which answers as soon as the
current build's token differs (a new build, or a new server after a restart).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

RELOAD_PATH = "/__qadeck_reload"
HOST = "127.0.0.1"
POLL_SECONDS = 25.0  # a long poll answers at the latest after this; the page then asks again

_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.I)
_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json",
          ".apkg": "application/octet-stream", ".pdf": "application/pdf"}

# `seen` is the token of the build the page came from; any other token reloads the page.
_RELOAD = """(function () {
  "use strict";
  var seen = "%s";
  function poll() {
    fetch("%s?since=" + seen, {cache: "no-store"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (t) { if (t !== seen) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();"""

_NOT_BUILT = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
              '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
              '<title>qadeck: not built</title></head><body><p>No cheat sheet at {name} yet: the last '
              'build did not write it (see the terminal). This page reloads when a build does.</p>'
              '</body></html>')

_HEAD_END = re.compile(r"</head\s*>", re.I)

def reload_script(token: str) -> str:
    return _RELOAD % (token, RELOAD_PATH)


def with_reload(page: str, token: str) -> str:
    """`page` with the reload script in its head and a CSP that admits exactly that script and
    requests to its own origin. A page without a CSP meta gets the script and no CSP."""
    script = reload_script(token)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    page = _CSP.sub(lambda m: m.group(1) + _allow(m.group(2), digest) + m.group(3), page, count=1)
    head = _HEAD_END.search(page)  # not page.lower(): lower case can change a text's length (İ)
    tag = f"<script>{script}</script>\n"
    return page[:head.start()] + tag + page[head.start():] if head else tag + page


def _allow(policy: str, digest: str) -> str:
    """The policy with the reload script's hash added to script-src, and connect-src 'self'."""
    hashed = f"'sha256-{digest}'"
    directives = []
    for directive in html.unescape(policy).split(";"):
        name, *sources = directive.split() or [""]
        if name.lower() in ("", "connect-src"):
            continue
        if name.lower() == "script-src":
            sources = [s for s in sources if s != "'none'"] + [hashed]
        directives.append(" ".join([name, *sources]))
    if not any(d.lower().startswith("script-src ") for d in directives):
        directives.append(f"script-src {hashed}")
    directives.append("connect-src 'self'")
    return html.escape("; ".join(directives), quote=False).replace('"', "&quot;")


@dataclass
class Site:
    """What the server shows; the watcher changes `root` and `page` when the settings move them."""

    root: Path  # the output folder
    page: str  # the cheat sheet's file name in it
    build: int = 0  # counts the builds that wrote the cheat sheet
    stopping: bool = False
    session: str = field(default_factory=lambda: secrets.token_hex(4))  # tells a restarted server

    def token(self) -> str:
        return f"{self.session}.{self.build}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A page closed while it waited is no news; anything else is one line, not a trace."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(f"qadeck: serving {client_address}: {type(error).__name__}: {error}", file=sys.stderr)


class LiveServer:
    """The output folder on http://127.0.0.1:port/, in a thread of its own."""

    def __init__(self, site: Site, port: int) -> None:
        self.site = site
        self.changed = threading.Condition()
        self.server = _Server((HOST, port), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, name="qadeck-serve",
                                       kwargs={"poll_interval": 0.2}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def start(self) -> None:
        self.thread.start()

    def rebuilt(self) -> None:
        """A build wrote the cheat sheet: open pages reload."""
        with self.changed:
            self.site.build += 1
            self.changed.notify_all()

    def move(self, root: Path, page: str) -> None:
        with self.changed:
            self.site.root, self.site.page = root, page

    def stop(self) -> None:
        with self.changed:
            self.site.stopping = True
            self.changed.notify_all()  # long polls answer now instead of holding the shutdown
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def wait(self, since: str) -> str:
        """The current token, once it differs from `since` (or after POLL_SECONDS, or at the stop)."""
        with self.changed:
            self.changed.wait_for(lambda: self.site.token() != since or self.site.stopping, POLL_SECONDS)
            return self.site.token()

    def snapshot(self) -> tuple[Path, str, str]:
        with self.changed:
            return self.site.root, self.site.page, self.site.token()


def _handler(live: LiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        server_live = live

    return Handler


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD of files inside the output folder; the cheat sheet with the reload script."""

    server_live: LiveServer
    server_version = "qadeck"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the terminal belongs to the rebuild lines

    def _respond(self, head: bool) -> None:
        if not self._local_host():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain; charset=utf-8", head)
            return
        url = urlsplit(self.path)
        if url.path == RELOAD_PATH:
            since = parse_qs(url.query).get("since", [""])[0]
            body = self.server_live.wait(since).encode("ascii")
            self._send(HTTPStatus.OK, body, "text/plain; charset=utf-8", head)
            return
        root, page, token = self.server_live.snapshot()
        name = unquote(url.path).lstrip("/") or page
        target = _inside(root, name)
        if target is None or not target.is_file():
            if name == page:
                body = with_reload(_NOT_BUILT.format(name=html.escape(page)), token).encode("utf-8")
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, body, _TYPES[".html"], head)
            else:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)
            return
        try:
            body = target.read_bytes()
        except OSError:  # replaced or removed since it was looked at: as if not there
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)
            return
        if name == page:  # a page not written by qadeck may be any bytes: shown, never a dropped connection
            body = with_reload(body.decode("utf-8", errors="replace"), token).encode("utf-8")
        self._send(HTTPStatus.OK, body, _TYPES.get(target.suffix, "application/octet-stream"), head)

    def _local_host(self) -> bool:
        """Only a Host naming this machine: a web page that rebinds its own name to 127.0.0.1
        cannot read the notes through this server."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in ("127.0.0.1", "localhost")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _inside(root: Path, name: str) -> Path | None:
    """The file `name` names inside `root`, or None: no `..`, no absolute path, no hidden file
    (the formula cache, a temporary file being written), no symlink leading out."""
    if "\x00" in name:
        return None
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or any(p in ("..", "") or p.startswith(".") for p in parts):
        return None
    base = root.resolve()
    target = (base / name).resolve()
    return target if target.is_relative_to(base) else None
