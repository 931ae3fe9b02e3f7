"""Every diagnostic code is named in qadeck/codes.py: no code is written inline anywhere else.

The scan reads the source with `ast` and looks where a code goes: the `code` argument of a
`Diagnostic` or a parser `LineDiagnostic`, any argument of a helper that reports one (a function whose
name holds warn, error, report or diagnostic: `_warn`, `place.report`, `_diagnostic`), and a comparison
with a diagnostic's `.code`. A literal that looks like a code there (`word.word-word`), or an
f-string (a code made at run time is in no list), is a finding.
"""

from __future__ import annotations

import ast
import re

from qadeck import codes
from tests.conftest import REPO

CODE = re.compile(r"^[a-z]+\.[a-z]+(?:-[a-z]+)*$")
# Diagnostic(path, line, severity, code, ...), LineDiagnostic(line, severity, code, ...)
CODE_ARG = {"Diagnostic": 3, "LineDiagnostic": 2}
HELPER = re.compile(r"warn|error|report|diagnostic", re.I)
SCANNED = ("qadeck", "exporters")


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _inline(node: ast.expr | None, any_text: bool) -> str | None:
    """The inline code `node` writes, if it is one: a code-shaped literal (any literal where the
    position can only hold a code), or an f-string."""
    if isinstance(node, ast.JoinedStr):  # its shape: each {...} read as a word
        shape = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        return ast.unparse(node) if any_text or CODE.match(shape) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if any_text or CODE.match(node.value) else None
    return None


def _in_call(call: ast.Call) -> list[str]:
    name = _name(call.func)
    code_kw = [k.value for k in call.keywords if k.arg == "code"]
    if name in CODE_ARG:
        at = CODE_ARG[name]
        given = [call.args[at]] if len(call.args) > at else code_kw
        return [c for c in (_inline(arg, any_text=True) for arg in given) if c]
    if HELPER.search(name):
        given = list(call.args) + [k.value for k in call.keywords]
        return [c for c in (_inline(arg, any_text=False) for arg in given) if c]
    return []


def _in_compare(node: ast.Compare) -> list[str]:
    sides = [node.left, *node.comparators]
    if not any(isinstance(s, ast.Attribute) and s.attr == "code" for s in sides):
        return []
    return [c for c in (_inline(s, any_text=False) for s in sides) if c]


def inline_codes(source: str) -> list[tuple[int, str]]:
    """(line, code) for every diagnostic code `source` writes inline."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            found += [(node.lineno, c) for c in _in_call(node)]
        elif isinstance(node, ast.Compare):
            found += [(node.lineno, c) for c in _in_compare(node)]
    return found


def _findings() -> list[tuple[str, int, str]]:
    found = []
    for folder in SCANNED:
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel != "qadeck/codes.py":
                found += [(rel, line, c) for line, c in inline_codes(path.read_text(encoding="utf-8"))]
    return found


def test_the_scan_finds_each_way_of_writing_a_code_inline():
    source = '''
Diagnostic("a.md", 1, "warning", "link.outside", "message")
Diagnostic("a.md", 1, "warning", code="note.template", message="m")
LineDiagnostic(3, "error", f"{tag}.unclosed", "message")
_warn(draft, 4, "link.scheme", "message")
place.report(5, "math.invalid", "message")
_diagnostic(note, link, "image.missing", "message")
if p.code == "note.missing": pass
Diagnostic("a.md", 1, "warning", codes.LINK_OUTSIDE, "see file.md or x.y")
_warn(draft, 4, codes.LINK_SCHEME, f"{scheme}: links are not followed")
_warn(draft, 4, f"{what}.missing", f"{what} not found")
path = home / "cache.key"
'''
    assert inline_codes(source) == [
        (2, "link.outside"), (3, "note.template"), (4, "f'{tag}.unclosed'"), (5, "link.scheme"),
        (6, "math.invalid"), (7, "image.missing"), (8, "note.missing"), (11, "f'{what}.missing'"),
    ]


def test_every_code_is_named_in_codes_py():
    outside = [f"{rel}:{line}: {code}" for rel, line, code in _findings()]
    assert not outside, "codes written inline; name them in qadeck/codes.py:\n" + "\n".join(outside)


def test_codes_py_names_each_code_once_in_the_code_shape():
    values = [v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)]
    assert len(values) > 40
    assert [v for v in values if not CODE.match(v)] == []
    assert len(set(values)) == len(values)
