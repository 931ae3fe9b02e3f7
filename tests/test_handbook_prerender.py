"""The coding problems rendered ahead in forked workers (`prerender`): the book reads them back
from the build cache and is the same as one rendered in the build's own process."""

from __future__ import annotations

from pathlib import Path

from qadeck.build import context
from qadeck.exporters import handbook
from qadeck.exporters.handbook import book as handbook_html
from qadeck.exporters.handbook import prerender, problems
from qadeck.math import SVGMath
from tests.conftest import parse
from tests.test_handbook import _config
from tests.test_handbook_problems import notes_with_problems


def _book(notes: Path, out: Path, workers: int, monkeypatch) -> tuple[list[str], int]:
    """The book's articles' HTML, and the problems this process rendered itself."""
    rendered: list[str] = []
    original = problems.ProblemsPart._problem
    monkeypatch.setattr(problems.ProblemsPart, "_problem",
                        lambda part, note: rendered.append(note.path) or original(part, note))
    config = _config(notes, out)
    made = handbook_html.build(parse(notes, title=config.title), config.options("pdf"), context(config),
                               SVGMath(cache_dir=out / "math"), font_faces=handbook.font_faces(None),
                               workers=workers)
    return [article.html for article in made.articles], len(rendered)


def test_problems_rendered_ahead_make_the_same_book(tmp_path, monkeypatch):
    monkeypatch.setattr(prerender, "FEWEST", 2)  # the fixture's 4 problems are enough to fork for
    notes = notes_with_problems(tmp_path)
    alone, rendered_alone = _book(notes, tmp_path / "alone", 1, monkeypatch)
    ahead, rendered_here = _book(notes, tmp_path / "ahead", 2, monkeypatch)
    assert rendered_alone == 4 and rendered_here == 0  # the workers rendered every problem
    assert ahead == alone
    again, rendered_again = _book(notes, tmp_path / "ahead", 2, monkeypatch)
    assert again == alone and rendered_again == 0  # all in the cache: nothing forked, nothing rendered


def test_a_few_problems_are_rendered_in_the_build(tmp_path, monkeypatch):
    notes = notes_with_problems(tmp_path)  # 4 problems: fewer than forking pays for
    _, rendered = _book(notes, tmp_path / "out", 2, monkeypatch)
    assert rendered == 4
