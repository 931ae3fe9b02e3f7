"""The only way WeasyPrint may read anything while printing the handbook.

WeasyPrint's default fetcher opens any local file (`file:///etc/passwd`, `../../`, symlinks)
and the network, and `<link rel=attachment>` embeds what it fetched into the PDF. Notes are
data, so this fetcher allows `data:` URIs and files inside the allowed folders (the notes and
the stylesheets), after resolving symlinks, plus a few named files (a `--font`). Everything
else is refused and remembered, so the exporter can report it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from qadeck import depends, svgclean


class Refused(ValueError):
    """A URL outside what the handbook may read; WeasyPrint logs it and goes on."""


class SafeFetcher(URLFetcher):
    def __init__(self, folders: list[Path], files: list[Path] | None = None) -> None:
        super().__init__(timeout=5, allowed_protocols={"data", "file"}, allow_redirects=False)
        self.folders = [f.resolve() for f in folders]
        self.files = {f.resolve() for f in files or []}
        self.refused: list[tuple[str, str]] = []  # (url, why)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "only files inside the notes folder can be used; no network")
        path = self.allowed_path(url)
        if path is None:
            return self._refuse(url, "outside the notes folder")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        depends.note("file", str(path), lambda: depends.digest(data))  # the printed document read it
        if path.suffix.lower() == ".svg":  # a note's SVG: only what draws reaches the printer
            data = svgclean.clean(data).data
            if data is None:
                return self._refuse(url, "not an SVG qadeck reads")
        return URLFetcherResponse(url, data, {"Content-Type": mime})

    def allowed_path(self, url: str) -> Path | None:
        """The resolved file a `file:` URL names, if it is an existing file we may read."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_file():
            return None
        if path in self.files or any(path.is_relative_to(folder) for folder in self.folders):
            return path
        return None

    def _refuse(self, url: str, why: str) -> URLFetcherResponse:
        self.refused.append((url, why))
        raise Refused(f"{url}: {why}")
