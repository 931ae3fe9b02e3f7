"""User errors: mistakes a person can fix, printed by the CLI as one sentence, no traceback."""


class QadeckError(Exception):
    """Base class; anything else that escapes is a bug."""


class ConfigError(QadeckError):
    pass


class MissingDependency(QadeckError):
    """A system part (font, browser) is missing; the message says how to install it."""


class ExportError(QadeckError):
    pass


class OutputError(ExportError):
    """An output that cannot be written (a read-only or full disk, a folder in its place, ...)."""

    def __init__(self, target: object, exc: OSError) -> None:
        super().__init__(f"cannot write {target}: {why(exc)}")
        self.target = target


_WHY = {"EISDIR": "a folder is where the file goes", "ENOTDIR": "a file is where a folder of its path goes",
        "EROFS": "the file system is read-only", "ENOSPC": "no space left on the disk",
        "EDQUOT": "the disk quota is used up", "EACCES": "permission denied", "EPERM": "permission denied",
        "EEXIST": "a file is where a folder of its path goes", "ENAMETOOLONG": "the name is too long"}


def why(exc: OSError) -> str:
    """An OS error as a few words a person reads (`errno` names map to plain words)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _WHY.get(name) or (exc.strerror or str(exc)).lower()
