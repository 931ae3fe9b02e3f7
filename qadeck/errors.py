"""User errors: problems a person can fix, printed by the CLI as one sentence, no traceback."""


class QadeckError(Exception):
    """Base class; anything else that escapes is a bug."""


class ConfigError(QadeckError):
    pass


class MissingDependency(QadeckError):
    """A system part (font, browser) is missing; the message says how to install it."""


class ExportError(QadeckError):
    pass
