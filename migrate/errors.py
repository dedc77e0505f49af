"""The one exception family the library raises; the CLI turns it into messages and exit codes."""

from __future__ import annotations


class MigrateError(Exception):
    """Base of every error migrate raises on purpose.  Carries the file and line when known."""

    def __init__(self, message: str, path: str = "", line: int = 0, code: str = "error") -> None:
        self.message = message
        self.path = path
        self.line = line
        self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path:
            where = f"{self.path}:{self.line}" if self.line else self.path
            return f"{where}: {self.message}"
        return self.message


class ConfigError(MigrateError):
    """The configuration is invalid (unknown key, bad value)."""


class SourceError(MigrateError):
    """A source post cannot be read (encoding, front matter, date...)."""
