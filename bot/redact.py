"""Keeps secrets out of what we write down: log lines (tracebacks included) and error reports."""

from __future__ import annotations

import logging
from collections.abc import Iterable

MASK = "<redacted>"


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback and all, then masks every secret in the result.

    Masking the finished line rather than the message also catches a token that a library puts
    into an exception (PTB's InvalidToken quotes it) or into a request URL.
    """

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)
