"""The only part of qadeck that knows the notes dialect (see DIALECT.md)."""

from qadeck.parser.collection import DEFAULT_MARKER_NAMES, ParseOptions, parse_collection

__all__ = ["DEFAULT_MARKER_NAMES", "ParseOptions", "parse_collection"]
