"""Load the project's versioned data files and match cue lexicons fast.

The word lists live in ``framing/data/*.toml`` so that changing a lexicon is
a reviewed data change, not an edit scattered through code.  Matching works
on token lists with dictionary look-ups rather than big regular-expression
alternations: scoring has to stay above 20,000 sentences per second.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from functools import cache
from importlib import resources

import numpy as np

_PAIR = 1 << 32  # entry-pair keys: first * _PAIR + second
# Possessive quantifiers: the same tokens, with no backtracking to try (a tenth faster).
TOKEN = re.compile(r"\w++(?:[-'’]\w++)*+|n't|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Words (keeping inner hyphens and apostrophes) and single punctuation marks."""
    return TOKEN.findall(text)


def tokenize_lines(text: str) -> list[list[str]]:
    """``[tokenize(line) for line in text.split("\n")]``: one regex call a line
    (measured a little faster than one call for the whole text cut at the
    line-break tokens afterwards)."""
    return list(map(TOKEN.findall, text.split("\n")))


@cache
def load_toml(name: str) -> dict:
    """Return the parsed ``framing/data/<name>.toml``."""
    with resources.files("framing.data").joinpath(f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def data_versions() -> dict[str, int]:
    """Versions of the data files, recorded in the model card."""
    return {name: load_toml(name)["version"] for name in ("cues", "punkt", "voice")}


# VADER's valence ratings run from -4 to +4; words rated this strongly either
# way are evaluative enough to matter ("fiasco" -2.3, "shameful" -2.2).
VALENCE_THRESHOLD = 1.5


@cache
def valence_lists() -> dict[str, list[str]]:
    """Strongly negative and strongly positive words from VADER's lexicon
    (the vaderSentiment package ships it: no download), one-word entries only."""
    from importlib.resources import files

    negative, positive = [], []
    text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        word, _, rest = line.partition("\t")
        if not word.isalpha() or word != word.lower():
            continue  # emoticons and abbreviations
        score = float(rest.split("\t", 1)[0])
        if score <= -VALENCE_THRESHOLD:
            negative.append(word)
        elif score >= VALENCE_THRESHOLD:
            positive.append(word)
    return {"valence_negative": negative, "valence_positive": positive}


@cache
def voice_cues() -> CueLexicon:
    """The author's-voice lexicons: ``voice.toml`` plus VADER's valence lists."""
    return CueLexicon(_voice_lists())


def _voice_lists() -> dict[str, list[str]]:
    return {**load_toml("voice")["voice"], **valence_lists()}


@cache
def cues_and_voice() -> CueLexicon:
    """``cues()`` followed by ``voice_cues()``, counted in one pass."""
    return CueLexicon({**load_toml("cues")["cues"], **_voice_lists()})


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
        # token -> entry index; entry 0 is "no cue" (most tokens)
        self._cache: dict[str, int] = {}
        self._entry_ids: list[tuple[int, ...]] = [()]
        self._entry_phrases: list[tuple] = [()]
        self._matrix: np.ndarray | None = None
        # The first two words of every phrase get entries of their own now, so
        # that count_many can find phrase starts by entry pairs.
        self._second_words = {rest[0] for phrases in self._phrases.values()
                              for rest, _ in phrases}
        firsts_and_seconds = [(first, rest[0]) for first, phrases in self._phrases.items()
                              for rest, _ in phrases]
        for word in {w for pair in firsts_and_seconds for w in pair}:
            self._entry(word)
        self._pair_keys = np.unique(np.array(
            [self._cache[a] * _PAIR + self._cache[b] for a, b in firsts_and_seconds],
            dtype=np.int64))

    def _ids(self, tok: str) -> tuple[int, ...]:
        """Cue lists that the single token *tok* belongs to (words and stems)."""
        ids = list(self._words.get(tok, ()))
        for k in self._stem_lengths:
            if k > len(tok):
                break
            ids.extend(self._stems[k].get(tok[:k], ()))
        return tuple(ids)

    def _entry(self, tok: str) -> int:
        """Index of *tok*'s entry (its cue ids and the phrases it starts); 0 for none."""
        ids, phrases = self._ids(tok), self._phrases.get(tok, ())
        if not ids and not phrases and tok not in self._second_words:
            index = 0
        else:
            index = len(self._entry_ids)
            self._entry_ids.append(ids)
            self._entry_phrases.append(phrases)
            self._matrix = None
        if len(self._cache) < 200_000:  # news vocabulary is Zipfian; bound it anyway
            self._cache[tok] = index
        return index

    def count_many(self, token_lists: list[list[str]]) -> np.ndarray:
        """Counts per cue list (columns) for many lower-cased token lists (rows).

        Vectorised: one dictionary look-up per token, then the hits' rows of
        the entry matrix summed per row; only tokens that may start a
        multi-word phrase are looked at again.
        """
        n = len(token_lists)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
        flat = list(itertools.chain.from_iterable(token_lists))
        cached = self._cache.get
        # C-level look-ups; -1 for tokens not seen before (rare once the cache is warm)
        index = np.fromiter(map(cached, flat, itertools.repeat(-1)), dtype=np.int64,
                            count=len(flat))
        for j in np.flatnonzero(index < 0).tolist():
            value = cached(flat[j])  # (a token seen twice in this batch is looked up once)
            index[j] = self._entry(flat[j]) if value is None else value
        rows = np.repeat(np.arange(n), lengths)
        if self._matrix is None:
            self._matrix = self._entry_matrix()
            self._starts_phrase = np.array([bool(p) for p in self._entry_phrases])
            self._has_ids = np.array([bool(i) for i in self._entry_ids])
            self._by_second = []
            for phrases in self._entry_phrases:
                by_second: dict[str, list] = {}
                for rest, i in phrases:
                    by_second.setdefault(rest[0], []).append((rest, i))
                self._by_second.append(by_second)

        hit = np.flatnonzero(self._has_ids[index])
        counts = np.zeros((n, len(self.names)))
        if len(hit):  # (hits are in row order: each row's are one run)
            hit_rows, first = np.unique(rows[hit], return_index=True)
            counts[hit_rows] = np.add.reduceat(self._matrix[index[hit]], first, axis=0)
        # Tokens that start a phrase and are followed by its second word (as
        # entry pairs, in NumPy); only those few are compared in full.
        starts = np.flatnonzero(self._starts_phrase[index[:-1]])
        if not len(self._pair_keys):
            return counts
        keys = index[starts] * _PAIR + index[starts + 1]
        at = np.minimum(np.searchsorted(self._pair_keys, keys), len(self._pair_keys) - 1)
        maybe = starts[self._pair_keys[at] == keys]
        if len(maybe):
            ends = np.cumsum(lengths)
            for j in maybe.tolist():
                row = int(rows[j])
                for rest, i in self._by_second[index[j]].get(flat[j + 1], ()):
                    stop = j + 1 + len(rest)
                    if stop <= ends[row] and tuple(flat[j + 1:stop]) == rest:
                        counts[row, i] += 1
        return counts

    def _entry_matrix(self) -> np.ndarray:
        """Entries × cue lists: how often each entry counts for each list."""
        matrix = np.zeros((len(self._entry_ids), len(self.names)))
        for e, ids in enumerate(self._entry_ids):
            for i in ids:
                matrix[e, i] += 1
        return matrix

    def _hits(self, tokens: list[str]):
        """The cue list of every entry *tokens* contain, in order (a plain loop:
        for one short list it beats the vectorised path's set-up)."""
        get, entry = self._cache.get, self._entry
        for j, tok in enumerate(tokens):
            e = get(tok)
            if e is None:
                e = entry(tok)
            if e:
                yield from self._entry_ids[e]
                for rest, i in self._entry_phrases[e]:
                    if tuple(tokens[j + 1:j + 1 + len(rest)]) == rest:
                        yield i

    def count(self, tokens: list[str]) -> list[int]:
        """Counts per cue list for one list of lower-cased tokens."""
        counts = [0] * len(self.names)
        for i in self._hits(tokens):
            counts[i] += 1
        return counts

    def has(self, name: str, tokens: list[str]) -> bool:
        """Whether *tokens* contain an entry of the list *name* (stops at the first)."""
        wanted = self.names.index(name)
        return any(i == wanted for i in self._hits(tokens))


@cache
def cues() -> CueLexicon:
    """The project's cue lexicon from ``cues.toml``."""
    return CueLexicon(load_toml("cues")["cues"])
