"""The only part of qadeck that knows the notes dialect (see "The notes dialect" in README.md)."""

from qadeck.parser.collection import DEFAULT_MARKER_NAMES, DEFAULT_TITLE, ParseOptions, parse_collection

__all__ = ["DEFAULT_MARKER_NAMES", "DEFAULT_TITLE", "ParseOptions", "parse_collection"]
