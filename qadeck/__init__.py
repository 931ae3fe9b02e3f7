"""qadeck: Markdown interview notes to an Anki deck, a PDF handbook and an HTML cheat sheet."""

__version__ = "0.1.0"
