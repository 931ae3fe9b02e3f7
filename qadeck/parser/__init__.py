"""The only part of qadeck that knows the notes dialect (see "The notes dialect" in README.md)."""

from qadeck.parser.collection import ParseOptions, parse_collection
from qadeck.parser.language import DEFAULT_MARKER_NAMES, MARKER_NAMES

__all__ = ["DEFAULT_MARKER_NAMES", "MARKER_NAMES", "ParseOptions", "parse_collection"]
