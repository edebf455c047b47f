"""Document ids that stay distinct (the second "a.txt" becomes "a.txt#2"),
and names and text made safe to show."""

from __future__ import annotations

import re

# Control characters (an escape sequence in a document, C0 and C1) would act
# on the terminal; shown text gets U+FFFD instead (stored text keeps them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """*text* with control characters other than tab and newline as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def shown_name(name: str) -> str:
    """A file name as text that can be printed and stored: bytes of a name
    that is not UTF-8 (kept by Python as surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class DistinctIds:
    """Hands out each name once; a name seen before gets the next free "#N"."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def take(self, name: str) -> str:
        """*name* itself the first time, else *name*#N (N from 2, never taken)."""
        if name not in self.seen:
            self.seen[name] = 1
            return name
        while True:
            self.seen[name] += 1
            new = f"{name}#{self.seen[name]}"
            if new not in self.seen:
                self.seen[new] = 1
                return new
