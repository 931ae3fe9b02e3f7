"""SOURCE_DATE_EPOCH (reproducible-builds.org): the one date an output may carry, read here and
only here (by `qadeck.build.context`), so the deck, the handbook and the cheat sheet agree on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from qadeck.errors import ConfigError


def source_date_epoch() -> int | None:
    """Seconds since 1970 from SOURCE_DATE_EPOCH, or None when it is not set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}")
    return int(value)


# fontTools stamps a font it saves (WeasyPrint's emoji font without its bitmaps) with the time of
# day unless SOURCE_DATE_EPOCH is set: without this, a clean build's PDF changed every second.
FONT_CLOCK = "946684800"  # 2000-01-01: a font's `modified` date, which is no date of the notes


@contextmanager
def fixed_font_clock() -> Iterator[None]:
    """Fonts written meanwhile carry SOURCE_DATE_EPOCH's date if the build has one, else FONT_CLOCK."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_CLOCK
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
