"""The trained model as plain arrays: scoring with NumPy alone.

Training and the Python API use a scikit-learn ``Pipeline``
(``framing.model``); importing scikit-learn costs about a second, more than
scoring an article.  So a model file also holds a ``LinearModel``: the same
model as the arrays scoring reads (actor masking's known words, the TF-IDF
vocabulary and weights, the cue settings, the classifier's weights), which
loads and scores importing only NumPy and the standard library.

The features are computed by the functions below, which the pipeline's own
transformers (``framing.features``) call too; the TF-IDF weighting and the
classifier are done here in NumPy.  ``tests/test_linear.py`` checks that
both give the same probabilities.
"""

from __future__ import annotations

import itertools
import re
from functools import partial
from operator import is_not

import numpy as np

from framing.lexicon import cues, cues_and_voice, load_toml, tokenize_lines

INPUT_COLUMNS = ("doc", "text", "quoted", "attributed")  # a sentence table's model inputs

# --- actor masking ------------------------------------------------------------------
# Patterns start with the capital or digit itself (so the regex engine can
# skip ahead) and check what precedes it with a fixed-width look-behind.
_REST = r"(?:[\w'’-]|\.(?=[A-Za-z]))*"  # "U.S" of "U.S.", not a final full stop
# A capitalised word at a sentence start or after a quote, a full stop or a bracket.
_START_CAPITAL = re.compile(
    r"[A-Z](?:(?<=^[A-Z])|(?<=[\"“«(\[][A-Z])|(?<=[.?!:;—–\"“«”] [A-Z]))" + _REST, re.MULTILINE)
# Any other capitalised word: one after a space that follows ordinary text.
_INNER_CAPITAL = re.compile(r"[A-Z](?<=[^\s\"“«(\[.?!:;—–”] [A-Z])" + _REST)
_NUMBER = re.compile(r"\d(?<!\w\d)(?:[\d,.:/%]*\d)?%?")
_ENT_RUN = re.compile(r"_ent_(?: +_ent_)+")
# A list item's marker ("- ", "• ", "3. ", "(b) "): layout, not words.  Left
# in, it taught the model that a dash means a demand (the written corpus's
# lists are mostly demands) and hid the capital of the word after it.
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*•‣◦▪–—+]|\(?\d{1,3}[.)]|\(?[a-z]\)"
                          r"|(?:ii|iii|iv|vi|vii|viii|ix|xi|xii)[.)])[ \t]+", re.MULTILINE)


def mask_texts(texts: list[str], known: frozenset[str] | None) -> list[list[str]]:
    """Lower-cased token lists of *texts*, without a list item's marker, with
    named actors (``_ent_``) and numbers (``_num_``) masked; *known* holds
    the words seen in lower case in training (a capitalised sentence start
    among them is kept); ``None`` masks nothing.  See
    ``framing.features.MaskActors``."""
    if not texts:
        return []
    batch = "\n".join(texts)
    if batch.count("\n") != len(texts) - 1:  # (the splitter's sentences hold none)
        batch = "\n".join(t.replace("\n", " ") for t in texts)
    batch = _LIST_MARKER.sub("", batch)
    if known is not None:
        def initial(match: re.Match) -> str:
            word = match.group()
            return word if word.lower() in known else "_ent_"

        batch = _START_CAPITAL.sub(initial, batch)
        batch = _INNER_CAPITAL.sub("_ent_", batch)
        batch = _NUMBER.sub("_num_", batch)
        batch = _ENT_RUN.sub("_ent_", batch)
    # Tokenised once here; the n-gram counts and the cue counter reuse the lists.
    return tokenize_lines(batch.lower())


# --- word n-grams -------------------------------------------------------------------

def word_ngrams(tokens: list[str] | str) -> list[str]:
    """Unigrams and bigrams of masked tokens (a list, or a space-joined text):
    the TF-IDF analyzer."""
    words = tokens.split() if isinstance(tokens, str) else tokens
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def bigram_table(vocabulary: dict[str, int]):
    """Sorted integer keys (first word's index · V + second's) of every
    bigram, their feature indices, and which words begin and end one; None
    if some bigram has a word that is not itself a feature (then strings
    are looked up)."""
    size = len(vocabulary)
    keys, values = [], []
    for term, index in vocabulary.items():
        parts = term.split(" ")
        if len(parts) == 1:
            continue
        a, b = (vocabulary.get(p) for p in parts) if len(parts) == 2 else (None, None)
        if a is None or b is None:
            return None
        keys.append(a * size + b)
        values.append(index)
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    # Which words begin a bigram, which end one (padded: a -1 index is harmless).
    first = np.zeros(size + 1, dtype=bool)
    second = np.zeros(size + 1, dtype=bool)
    first[keys // max(size, 1)] = True
    second[keys % max(size, 1)] = True
    return keys[order], np.asarray(values, dtype=np.int64)[order], first, second


def count_pairs(lists: list[list[str]], unigrams: dict[str, int], size: int, table):
    """N-gram occurrences of token lists as (rows, features) index arrays
    (unigrams, then bigrams; rows in order within each), and each row's
    share of tokens *unigrams* lacks.  Bigrams become integer pairs of
    unigram indices, found with one ``searchsorted``: a bigram seen in
    training is made of two words seen in training (*table*, from
    ``bigram_table`` of a vocabulary of *size* terms)."""
    n = len(lists)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=n)
    flat = list(itertools.chain.from_iterable(lists))
    words = np.fromiter(map(unigrams.get, flat, itertools.repeat(-1)),
                        dtype=np.int64, count=len(flat))
    rows = np.repeat(np.arange(n), lengths)
    unseen = np.bincount(rows, weights=words < 0, minlength=n) / np.maximum(lengths, 1)
    keys, values, first, second = table
    # Adjacent known words in the same sentence that can begin and end a
    # bigram; their pair key, if it is one.
    left, right = words[:-1], words[1:]
    pair = (left >= 0) & (right >= 0) & (rows[:-1] == rows[1:])
    pair &= first[left] & second[right]  # (-1 indices are masked out above)
    pair_keys = left[pair] * size + right[pair]
    at = np.minimum(np.searchsorted(keys, pair_keys), max(len(keys) - 1, 0))
    found = keys[at] == pair_keys if len(keys) else np.zeros(len(pair_keys), bool)
    unigram = words >= 0
    return ((rows[unigram], words[unigram]), (rows[:-1][pair][found], values[at[found]])), unseen


def count_strings(documents, analyze, vocabulary: dict[str, int]):
    """N-gram occurrences looked up as strings: (indptr, indices) lists."""
    lookup = vocabulary.get
    indices: list[int] = []
    indptr = [0]
    known = partial(is_not, None)  # C-level filter: index 0 is a real feature
    for doc in documents:
        indices.extend(filter(known, map(lookup, analyze(doc))))
        indptr.append(len(indices))
    return indptr, indices


# --- character n-grams --------------------------------------------------------------
CHAR_SIZES = (3, 4, 5)
CHAR_MIN_LETTERS = 4


def char_grams(tokens: list[str] | str) -> list[str]:
    """Character 3- to 5-grams of each masked word of four letters or more,
    a space marking its start and end: the TF-IDF analyzer of the ``chars``
    block.  A word the training text never had shares most of them with
    words it had ("inexcusable" with "excuse" and "unacceptable"), so an
    evaluative word outside the vocabulary still counts.  Opt-in
    (``build_pipeline(chars=True)``): it halves scoring speed."""
    words = tokens.split() if isinstance(tokens, str) else tokens
    out: list[str] = []
    for token in words:
        if len(token) < CHAR_MIN_LETTERS or not token.isalpha():
            continue  # (also "_ent_" and "_num_")
        padded = f" {token} "
        for n in CHAR_SIZES:
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


class CharGramCounter:
    """Occurrences of a vocabulary's character n-grams in token lists.  Each
    distinct token's n-grams are looked up once and kept (news vocabulary is
    Zipfian): a chunk costs one dictionary look-up per token."""

    def __init__(self, vocabulary: dict[str, int]):
        self.vocabulary = vocabulary
        self._entry: dict[str, int] = {}  # token → entry (0: no known n-gram)
        self._ptr = [0, 0]                # entry e's features: _cols[_ptr[e]:_ptr[e + 1]]
        self._cols: list[int] = []
        self._arrays = None

    def _add(self, token: str) -> int:
        found = [self.vocabulary[g] for g in char_grams([token]) if g in self.vocabulary]
        entry = 0
        if found:
            entry = len(self._ptr) - 1
            self._cols.extend(found)
            self._ptr.append(len(self._cols))
            self._arrays = None
        if len(self._entry) < 500_000:  # bounded, whatever a worker reads
            self._entry[token] = entry
        return entry

    def count(self, token_lists: list[list[str]]):
        """(rows, features) of every n-gram occurrence, rows in order."""
        n = len(token_lists)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
        flat = list(itertools.chain.from_iterable(token_lists))
        entries = np.fromiter(map(self._entry.get, flat, itertools.repeat(-1)),
                              dtype=np.int64, count=len(flat))
        for j in np.flatnonzero(entries < 0).tolist():
            known = self._entry.get(flat[j])  # (a token new twice in a chunk: added once)
            entries[j] = self._add(flat[j]) if known is None else known
        if self._arrays is None:
            self._arrays = (np.asarray(self._ptr, dtype=np.int64),
                            np.asarray(self._cols, dtype=np.int64))
        ptr, cols = self._arrays
        rows = np.repeat(np.arange(n), lengths)
        hit = entries > 0
        entries, rows = entries[hit], rows[hit]
        sizes = ptr[entries + 1] - ptr[entries]
        # Each entry's run of features, gathered in one step.
        starts = np.repeat(ptr[entries] - (np.cumsum(sizes) - sizes), sizes)
        return np.repeat(rows, sizes), cols[starts + np.arange(int(sizes.sum()))]


def tfidf(n: int, rows: np.ndarray, cols: np.ndarray, size: int, idf: np.ndarray, *,
          sublinear: bool, norm: str | None, weight: float = 1.0):
    """Sorted unique (rows, features, values) of TF-IDF from n-gram
    occurrences, as scikit-learn's ``TfidfTransformer`` computes it."""
    keys, counts = np.unique(rows * size + cols, return_counts=True)
    rows, cols = keys // size, keys % size
    values = counts.astype(float)
    if sublinear:
        values = np.log(values) + 1
    values *= idf[cols]
    if norm == "l2":
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        norms[norms == 0] = 1
        values /= norms[rows]
    return rows, cols, values * weight


# --- rhetorical cues ----------------------------------------------------------------

_QUOTES = frozenset("\"“”«»")

# Pseudo-sentences of the training mean added to each document share
# (``framing.features.RhetoricalCues.fit``).
SHRINK = 4

# Cues whose author-voice version (not attributed, no reporting verb) is a feature too.
_AUTHOR_VOICE = ("negative_eval", "positive_eval", "obligation", "denial", "question",
                 "conditional", "intensifier")
_INTERACTIONS = (*(f"author_{n}" for n in _AUTHOR_VOICE), "negated_negative_eval",
                 "we_obligation")

# Own cues that, in a document answering criticism, mark a defence.
_ANSWERING = ("positive_eval", "denial", "negation", "author_positive_eval")

# Document-level genre signals: what share of the document's sentences carry them.
_DOC_SIGNALS = ("attribution", "quoted", "attributed", "first_person_plural", "obligation",
                "negative_eval", "denial", "question")

# The author's-voice block.  Who speaks decides what a sentence does: "The
# Ministry condemns the raid" is the author's act in the ministry's
# statement and a reported one in a wire story.  The document's share of
# sentences in the author's own voice (no reporting verb, not an attributed
# quotation) and its share of performative sentences ("condemns",
# "firmly rejects": a statement's register) weight the sentence's own cues.
_VOICE_CUES = ("performative", "norm", "valence_negative", "valence_positive")
_VOICED = ("valence_negative", "valence_positive", "negative_eval", "positive_eval", "denial",
           "obligation", "performative", "norm", "first_person_plural", "question")
_VOICE_NAMES = (*_VOICE_CUES, *(f"author_{n}" for n in _VOICE_CUES), "doc_author_voice",
                "doc_performative", *(f"voiced_{n}" for n in _VOICED),
                *(f"statement_{n}" for n in _VOICED))

# Sentence-initial words that make an imperative ("Lift the sanctions.").
IMPERATIVE_STARTS = frozenset(load_toml("cues")["positions"]["imperative_starts"])


def own_names(cue_names: list[str]) -> list[str]:
    """Names of a sentence's own cue features."""
    return [*cue_names, "quoted", "attributed", "question", "imperative",
            "starts_with_quote", "n_words", "first_sentence", "last_sentence", *_INTERACTIONS]


def cue_feature_names(cue_names: list[str], *, context: bool, voice: bool) -> list[str]:
    """Names of every cue feature, in ``cue_features``' column order."""
    own = own_names(cue_names)
    if not context:
        return own
    names = own + [f"prev_{n}" for n in own] + [f"next_{n}" for n in own]
    names += [f"doc_{n}" for n in _DOC_SIGNALS] + ["position"]
    names += [f"answering_{n}" for n in _ANSWERING]
    if voice:
        names += list(_VOICE_NAMES)
    return names


def cue_features(texts: list[str], token_lists: list[list[str]], quoted, attributed, docs, *,
                 cue_names: list[str], context: bool = True, position: bool = True,
                 voice: bool = False, verbs: frozenset[str] = IMPERATIVE_STARTS,
                 share_prior: dict[str, float] | None = None) -> np.ndarray:
    """The dense cue features (``cue_feature_names`` columns) of sentences in
    document order: *texts*, their masked *token_lists*, the splitter's
    *quoted*/*attributed* flags and the *docs* they belong to.  See
    ``framing.features.RhetoricalCues`` for what each setting means."""
    quoted = np.asarray(quoted, dtype=float)
    attributed = np.asarray(attributed, dtype=float)
    docs = np.asarray(docs, dtype=object)
    names = own_names(cue_names)
    n = len(texts)
    own = np.zeros((n, len(names)))
    k = len(cue_names)
    firsts = [tokens[0] if tokens else "" for tokens in token_lists]
    own[:, k + 2] = [t.rstrip(" \"'”’)").endswith("?") for t in texts]
    own[:, k + 3] = [f in verbs for f in firsts]
    own[:, k + 4] = [f in _QUOTES for f in firsts]
    own[:, k + 5] = np.minimum(np.fromiter(map(len, token_lists), float, n), 70) / 70
    # Presence, not raw counts: a long sentence is not more accusing.
    if voice:  # one pass over the tokens for both lexicons
        both = np.minimum(cues_and_voice().count_many(token_lists).reshape(n, -1), 2) / 2
        own[:, :k], voice_found = both[:, :k], both[:, k:]
    else:
        own[:, :k] = np.minimum(cues().count_many(token_lists).reshape(n, k), 2) / 2
    own[:, k] = quoted
    own[:, k + 1] = attributed
    # Document boundaries (rows are in document order).
    new_doc = np.ones(n, dtype=bool)
    new_doc[1:] = docs[1:] != docs[:-1]
    last_doc = np.ones(n, dtype=bool)
    last_doc[:-1] = new_doc[1:]
    if position:
        own[:, k + 6] = new_doc
        own[:, k + 7] = last_doc
    # Interactions a linear model cannot form itself: the same evaluative
    # word means one thing in the author's voice and another in reported
    # speech; a negated negative ("has never sought to threaten") denies.
    col = {name: i for i, name in enumerate(names)}
    reported = np.maximum(own[:, col["attributed"]], own[:, col["attribution"]] > 0)
    author = 1.0 - reported
    for name in _AUTHOR_VOICE:
        own[:, col[f"author_{name}"]] = own[:, col[name]] * author
    own[:, col["negated_negative_eval"]] = np.minimum(own[:, col["negation"]],
                                                      own[:, col["negative_eval"]])
    own[:, col["we_obligation"]] = np.minimum(own[:, col["first_person_plural"]],
                                              own[:, col["obligation"]])
    if not context:
        return own

    def share(counts: np.ndarray, sizes: np.ndarray, name: str) -> np.ndarray:
        """Per-document share of sentences, shrunk towards the training mean."""
        if not share_prior or name not in share_prior:
            return counts / sizes
        return (counts + SHRINK * share_prior[name]) / (sizes + SHRINK)

    # One output array, filled in place (stacking copies cost a tenth of
    # the cue features' time): own | previous | next | document | ...
    w = own.shape[1]
    out = np.empty((n, len(cue_feature_names(cue_names, context=True, voice=voice))))
    out[:, :w] = own
    prev, nxt = out[:, w:2 * w], out[:, 2 * w:3 * w]
    prev[1:] = own[:-1]
    prev[:1] = 0
    prev[new_doc] = 0
    nxt[:-1] = own[1:]
    nxt[-1:] = 0
    nxt[last_doc] = 0
    doc_ids = np.cumsum(new_doc) - 1
    sizes = np.bincount(doc_ids).astype(float)
    doc_means = np.zeros((len(sizes), len(_DOC_SIGNALS)))
    for j, signal in enumerate(_DOC_SIGNALS):
        doc_means[:, j] = share(np.bincount(doc_ids, weights=own[:, col[signal]] > 0),
                                sizes, f"doc_{signal}")
    starts = np.flatnonzero(new_doc)
    where = (np.arange(n) - starts[doc_ids]) / np.maximum(sizes[doc_ids] - 1, 1) \
        if position else np.zeros(n)
    doc = doc_means[doc_ids]
    # Rule 8 of the codebook: a record of facts, a denial or praise is a
    # defence when the text answers criticism.  The document's share of
    # negatively evaluative sentences stands for "answers criticism".
    criticism = doc[:, _DOC_SIGNALS.index("negative_eval")]
    at = 3 * w
    out[:, at:at + doc.shape[1]] = doc
    at += doc.shape[1]
    out[:, at] = where
    at += 1
    for name in _ANSWERING:
        np.multiply(own[:, col[name]], criticism, out=out[:, at])
        at += 1
    if voice:
        block = _voice_block(voice_found, own, col, author, doc_ids, sizes, share)
        out[:, at:at + block.shape[1]] = block
        at += block.shape[1]
    assert at == out.shape[1]
    return out


def _voice_block(found, own, col, author, doc_ids, sizes, share) -> np.ndarray:
    """*found*: presence of the voice lexicon's lists (``voice_cues().names`` order)."""
    from framing.lexicon import voice_cues

    names = voice_cues().names
    cue = {name: found[:, names.index(name)] for name in _VOICE_CUES}
    authored = {name: values * author for name, values in cue.items()}
    doc_author = share(np.bincount(doc_ids, weights=author), sizes, "doc_author_voice")[doc_ids]
    doc_performative = share(np.bincount(doc_ids, weights=authored["performative"] > 0),
                             sizes, "doc_performative")[doc_ids]
    columns = [*cue.values(), *authored.values(), doc_author, doc_performative]
    for name in _VOICED:
        values = cue[name] if name in cue else own[:, col[name]]
        columns.append(values * author * doc_author)
    for name in _VOICED:
        values = cue[name] if name in cue else own[:, col[name]]
        columns.append(values * author * doc_performative)
    return np.column_stack(columns)


# --- confidence ---------------------------------------------------------------------
# How far from the training data a sentence may be before its confidence is
# tempered, and by how much (a temperature of 1.5 turns 0.95 into about 0.86
# for two labels).  Set by hand.  On the real-text yardstick they change
# little (long articles, mostly known words: mean confidence 0.77 against an
# accuracy of 0.62 either way); they are for one-line and unusual inputs.
UNKNOWN_FREE = 0.2      # share of unseen tokens (punctuation counts as seen) that costs nothing
UNKNOWN_WEIGHT = 1.5    # temperature added per unit of unseen share above that
SHORT_DOCUMENT = 2      # sentences: an input this short lacks document context
SHORT_WEIGHT = 0.5


def temperatures(unseen: np.ndarray, docs) -> np.ndarray:
    """Softmax temperature per sentence: 1 for a sentence like the training
    data; more for one of a very short input (*docs*: each sentence's
    document, rows in document order), or with a large *unseen* share of
    tokens."""
    docs = np.asarray(docs, dtype=object)
    new_doc = np.ones(len(docs), dtype=bool)
    new_doc[1:] = docs[1:] != docs[:-1]
    codes = np.cumsum(new_doc) - 1
    short = np.bincount(codes)[codes] <= SHORT_DOCUMENT if len(docs) else np.zeros(0, bool)
    return 1.0 + UNKNOWN_WEIGHT * np.maximum(unseen - UNKNOWN_FREE, 0) + SHORT_WEIGHT * short


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# --- the model ----------------------------------------------------------------------

class LinearModel:
    """A trained framing pipeline as arrays (``from_pipeline``): masking,
    TF-IDF n-grams, cue features and the logistic regression's weights.

    ``predict_proba`` gives what ``framing.model.predict_proba`` gives for
    the pipeline; ``features`` the feature values behind it (for evidence).
    Pickles with NumPy arrays and Python containers only.
    """

    def __init__(self, *, classes, coef, intercept, known, unigrams, size, bigrams, vocabulary,
                 idf, sublinear, norm, weights, cue_settings, chars=None):
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = np.asarray(intercept, dtype=float)
        self.known = known              # masking's lower-case words; None: no masking
        self.unigrams = unigrams        # unigram → feature index
        self.size = size                # words in the vocabulary (unigrams and bigrams)
        self.bigrams = bigrams          # bigram_table(), or None (then vocabulary is kept)
        self.vocabulary = vocabulary    # every n-gram → index, only when bigrams is None
        self.idf = idf
        self.sublinear = sublinear
        self.norm = norm
        self.weights = weights          # ColumnTransformer weights of words and cues
        self.cue_settings = cue_settings
        # The character n-gram block: {vocabulary, size, idf, sublinear, norm, weight}, or None.
        self.chars = chars

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_char_counter", None)  # caches, rebuilt on first use
        state.pop("_names", None)
        return state

    @property
    def n_sparse(self) -> int:
        """Features before the cue block: word n-grams, then character n-grams."""
        chars = getattr(self, "chars", None)
        return self.size + (chars["size"] if chars else 0)

    @classmethod
    def from_pipeline(cls, pipeline) -> LinearModel:
        """The arrays of a fitted ``framing.model.build_pipeline`` pipeline."""
        from framing.errors import ModelError

        try:
            mask = pipeline.named_steps["mask"]
            features = pipeline.named_steps["features"]
            classifier = pipeline.named_steps["classifier"]
            words = features.named_transformers_["words"]
            cue = features.named_transformers_["cues"]
            chars = features.named_transformers_.get("chars")
            names = [name for name, _, _ in features.transformers_ if name != "remainder"]
        except (AttributeError, KeyError) as exc:
            raise ModelError(f"not a fitted framing pipeline ({exc}); train it with "
                             "framing.model.fit or `framing train`") from None
        if names not in (["words", "cues"], ["words", "chars", "cues"]) \
                or words.analyzer is not word_ngrams \
                or (chars is not None and chars.analyzer is not char_grams) \
                or any(t.norm not in ("l2", None) or not t.use_idf
                       for t in (words, chars) if t is not None):
            raise ModelError("this pipeline is not one framing.model.build_pipeline makes; "
                             "retrain it with `framing train`")
        coef = classifier.coef_
        intercept = classifier.intercept_
        if coef.shape[0] == 1:  # two labels: one row of weights, for the second
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        vocabulary = words.vocabulary_
        table = bigram_table(vocabulary)
        weights = features.transformer_weights or {}
        return cls(
            classes=classifier.classes_, coef=coef, intercept=intercept,
            known=mask.lowercase_words_ if mask.mask else None,
            unigrams={t: i for t, i in vocabulary.items() if " " not in t},
            size=len(vocabulary), bigrams=table,
            vocabulary=dict(vocabulary) if table is None else None,
            idf=np.asarray(words.idf_, dtype=float), sublinear=bool(words.sublinear_tf),
            norm=words.norm,
            weights=(float(weights.get("words", 1.0)), float(weights.get("cues", 1.0))),
            cue_settings={
                "cue_names": list(cue.cue_names_), "context": bool(cue.context),
                "position": bool(getattr(cue, "position", True)),
                "voice": bool(getattr(cue, "voice", False)),
                "verbs": frozenset(getattr(cue, "imperative_verbs_", IMPERATIVE_STARTS)),
                "share_prior": dict(getattr(cue, "share_prior_", None) or {}),
            },
            chars=None if chars is None else {
                "vocabulary": dict(chars.vocabulary_), "size": len(chars.vocabulary_),
                "idf": np.asarray(chars.idf_, dtype=float),
                "sublinear": bool(chars.sublinear_tf), "norm": chars.norm,
                "weight": float(weights.get("chars", 1.0))},
        )

    # -- features

    def _word_counts(self, token_lists: list[list[str]]):
        """(rows, features) of every n-gram occurrence, and each row's unseen share."""
        n = len(token_lists)
        if self.bigrams is not None:
            ((ur, uc), (br, bc)), unseen = count_pairs(token_lists, self.unigrams, self.size,
                                                      self.bigrams)
            return np.concatenate([ur, br]), np.concatenate([uc, bc]), unseen
        indptr, indices = count_strings(token_lists, word_ngrams, self.vocabulary)
        rows = np.repeat(np.arange(n), np.diff(indptr))
        return rows, np.asarray(indices, dtype=np.int64), np.zeros(n)

    def features(self, docs, texts: list[str], quoted, attributed):
        """(n-gram part: rows, features, values, words then characters; cue
        matrix; unseen share) of sentences in document order."""
        token_lists = mask_texts(list(texts), self.known)
        n = len(token_lists)
        rows, cols, unseen = self._word_counts(token_lists)
        sparse = tfidf(n, rows, cols, self.size, self.idf, sublinear=self.sublinear,
                       norm=self.norm, weight=self.weights[0])
        chars = getattr(self, "chars", None)
        if chars:
            counter = self.__dict__.get("_char_counter")
            if counter is None:
                counter = self.__dict__["_char_counter"] = CharGramCounter(chars["vocabulary"])
            rows, cols = counter.count(token_lists)
            extra = tfidf(n, rows, cols, chars["size"], chars["idf"],
                          sublinear=chars["sublinear"], norm=chars["norm"],
                          weight=chars["weight"])
            sparse = (np.concatenate([sparse[0], extra[0]]),
                      np.concatenate([sparse[1], extra[1] + self.size]),
                      np.concatenate([sparse[2], extra[2]]))
        cue = cue_features(list(texts), token_lists, quoted, attributed, docs,
                           **self.cue_settings) * self.weights[1]
        return sparse, cue, unseen

    def scores(self, sparse, cue) -> np.ndarray:
        """The classifier's decision function: one column per class.

        Sums of value × weight over each row's non-zero features, with
        ``bincount``: a matrix product would call BLAS, whose threads spin
        on after each call and took a core from the other batch worker."""
        rows, cols, values = sparse
        cue_rows, cue_cols = np.nonzero(cue)
        rows = np.concatenate([rows, cue_rows])
        cols = np.concatenate([cols, cue_cols + self.n_sparse])
        values = np.concatenate([values, cue[cue_rows, cue_cols]])
        n = len(cue)
        out = np.empty((n, len(self.classes)))
        for c in range(len(self.classes)):
            out[:, c] = np.bincount(rows, weights=values * self.coef[c, cols], minlength=n)
        return out + self.intercept

    def predict_proba(self, docs, texts: list[str], quoted, attributed, *, temper: bool = True
                      ) -> np.ndarray:
        """Probabilities, one column per class (``classes`` order); with
        *temper*, flatter for sentences unlike the training data."""
        return self.probabilities(self.features(docs, texts, quoted, attributed), docs,
                                  temper=temper)

    def probabilities(self, features, docs, *, temper: bool = True) -> np.ndarray:
        """``predict_proba`` from ``features``' result (computed once when
        evidence is wanted too)."""
        sparse, cue, unseen = features
        scores = self.scores(sparse, cue)
        if temper:
            scores = scores / temperatures(unseen, docs)[:, None]
        return softmax(scores)

    # -- evidence

    def feature_names(self) -> list[str]:
        """Word features as their n-grams (``_ent_`` an actor, ``_num_`` a
        number), cue features as ``cue:<name>``; made once (the page of
        ``framing serve`` shows evidence on every request)."""
        names = self.__dict__.get("_names")
        if names is None:
            names = self.__dict__["_names"] = self._feature_names()
        return names

    def _feature_names(self) -> list[str]:
        names = [""] * self.size
        if self.vocabulary is not None:
            for term, index in self.vocabulary.items():
                names[index] = term
        else:
            for term, index in self.unigrams.items():
                names[index] = term
            keys, values, _, _ = self.bigrams
            for key, index in zip(keys.tolist(), values.tolist(), strict=True):
                names[index] = f"{names[key // self.size]} {names[key % self.size]}"
        chars = getattr(self, "chars", None)
        if chars:
            grams = [""] * chars["size"]
            for gram, index in chars["vocabulary"].items():
                grams[index] = gram
            names += [f'chars:"{gram}"' for gram in grams]
        settings = self.cue_settings
        names += [f"cue:{n}" for n in cue_feature_names(
            settings["cue_names"], context=settings["context"], voice=settings["voice"])]
        return names

    def relative_weights(self) -> np.ndarray:
        """Each feature's weight for a class minus its mean over classes (what
        softmax sees)."""
        return self.coef - self.coef.mean(axis=0, keepdims=True)

    def entries(self, sparse, cue):
        """Per row, the (feature indices, values) of its non-zero features."""
        order = np.argsort(sparse[0], kind="stable")
        rows, cols, values = (part[order] for part in sparse)
        starts = np.searchsorted(rows, np.arange(len(cue) + 1))
        for i in range(len(cue)):
            nonzero = np.flatnonzero(cue[i])
            yield (np.concatenate([cols[starts[i]:starts[i + 1]], self.n_sparse + nonzero]),
                   np.concatenate([values[starts[i]:starts[i + 1]], cue[i, nonzero]]))
