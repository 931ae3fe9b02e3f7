"""SOURCE_DATE_EPOCH (reproducible-builds.org): the one date an output may carry, read here and
only here (by `qadeck.build.context`), so the deck, the handbook and the cheat sheet agree on it."""

from __future__ import annotations

import os

from qadeck.errors import ConfigError


def source_date_epoch() -> int | None:
    """Seconds since 1970 from SOURCE_DATE_EPOCH, or None when it is not set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}")
    return int(value)
