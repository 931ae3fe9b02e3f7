"""The GitHub-compatibility layer: the notes are written for GitHub's Markdown, and qadeck renders
them with Python-Markdown; everything that bridges the two lives here.

- `lexical`: the rules more than one reader needs (code fences and spans, `$` math, inline links),
  so the parser and the renderer never disagree on what is code or a formula.
- `holding`: the one placeholder scheme (pieces held out of a text, put back through stand-ins the
  text cannot forge).
- `prepare`: the note's Markdown made ready for Python-Markdown (lists re-indented and bounded,
  formulas held out, hopeless brackets hidden, raw HTML marked for Markdown inside it).
- `extension`: `prepare` as a Python-Markdown extension (a preprocessor; an inline pattern that
  holds footnote references; a postprocessor that gives back what the preprocessor hid).
- `finish`: the cleaned HTML's links and images through an output's policy, the held formulas and
  footnote references put back, nesting bounded; `line_of`, `tag_attributes`.
"""
