"""Document ids that stay distinct: the second "a.txt" becomes "a.txt#2"."""

from __future__ import annotations


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
