"""Load the project's versioned data files and match cue lexicons fast.

The word lists live in ``framing/data/*.toml`` so that changing a lexicon is
a reviewed data change, not an edit scattered through code.  Matching works
on token lists with dictionary look-ups rather than big regular-expression
alternations: scoring has to stay above 20,000 sentences per second.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|n't|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Words (keeping inner hyphens and apostrophes) and single punctuation marks."""
    return TOKEN.findall(text)


@cache
def load_toml(name: str) -> dict:
    """Return the parsed ``framing/data/<name>.toml``."""
    with resources.files("framing.data").joinpath(f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def data_versions() -> dict[str, int]:
    """Versions of the data files, recorded in the model card."""
    return {name: load_toml(name)["version"] for name in ("cues", "punkt")}


class CueLexicon:
    """Count, for each named cue list, how many of its entries a token list contains.

    Entries are words, multi-word phrases, or stems ending in ``*``.
    """

    def __init__(self, lists: dict[str, list[str]]):
        self.names = list(lists)
        self._words: dict[str, list[int]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._stems: dict[int, dict[str, list[int]]] = {}
        for i, entries in enumerate(lists.values()):
            for entry in entries:
                words = tuple(tokenize(entry.lower().rstrip("*")))
                if entry.endswith("*"):
                    stem = words[0]
                    self._stems.setdefault(len(stem), {}).setdefault(stem, []).append(i)
                elif len(words) == 1:
                    self._words.setdefault(words[0], []).append(i)
                else:
                    self._phrases.setdefault(words[0], []).append((words[1:], i))
        self._stem_lengths = sorted(self._stems)
        # token -> (cue ids of the token itself, phrases that start with it)
        self._cache: dict[str, tuple] = {}

    def _ids(self, tok: str) -> tuple[int, ...]:
        """Cue lists that the single token *tok* belongs to (words and stems)."""
        ids = list(self._words.get(tok, ()))
        for k in self._stem_lengths:
            if k > len(tok):
                break
            ids.extend(self._stems[k].get(tok[:k], ()))
        return tuple(ids)

    def count(self, tokens: list[str]) -> list[int]:
        """Counts per cue list for lower-cased *tokens*."""
        counts = [0] * len(self.names)
        cache = self._cache
        for j, tok in enumerate(tokens):
            entry = cache.get(tok)
            if entry is None:
                entry = (self._ids(tok), self._phrases.get(tok, ()))
                if len(cache) < 200_000:  # news vocabulary is Zipfian; bound it anyway
                    cache[tok] = entry
            ids, phrases = entry
            for i in ids:
                counts[i] += 1
            for rest, i in phrases:
                if tuple(tokens[j + 1 : j + 1 + len(rest)]) == rest:
                    counts[i] += 1
        return counts

    def has(self, name: str, tokens: list[str]) -> bool:
        return bool(self.count(tokens)[self.names.index(name)])


@cache
def cues() -> CueLexicon:
    """The project's cue lexicon from ``cues.toml``."""
    return CueLexicon(load_toml("cues")["cues"])
