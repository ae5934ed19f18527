"""The shape every check returns: messages per request field, in the order they were found."""

from __future__ import annotations


class FieldErrors(dict):
    """Messages per request field ("config.<key>", "credentials.<key>", ...), in the order found."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, []).append(message)
