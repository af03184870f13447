"""The one failure of a spell-check dictionary: it is not installed on this server."""

from __future__ import annotations


class DictionaryMissing(Exception):
    """A dictionary or its library is not installed; ``package`` is the Debian package to add.

    Never reaches the API: spell checking then leaves the text as read and warns.
    """

    def __init__(self, package: str) -> None:
        super().__init__(package)
        self.package = package
