"""scikit-learn transformers for rhetorical cues.

The model must learn *how a sentence argues*, not what it is about, so:

* ``MaskActors`` replaces named actors (capitalised words that are not
  ordinary sentence-initial words) and numbers with placeholders before the
  word n-grams see the text: "Islamabad rejected Washington's claims" and
  "The union rejected the company's claims" share most of their features.
* ``RhetoricalCues`` counts cue lexicons (modality, obligation, attribution,
  evaluation, denial, negation, person, conditionals ...) plus quotation
  state from the splitter, questions and imperatives; then adds the
  neighbouring sentences' cues and the document's own genre signals (share
  of attributed, quoted and first-person sentences), because the same
  sentence reads differently in a wire report and in a ministry statement.

Both follow the estimator contract: ``__init__`` only stores parameters,
``fit`` returns ``self``, learned attributes end in ``_``.

Input to both is a DataFrame with one row per sentence, in document order,
with the columns in ``INPUT_COLUMNS``.  ``MaskActors`` adds a ``masked``
column (each sentence tokenised once, as a list) that the word n-grams and
the cue counter share: tokenising twice cost a fifth of scoring time.
"""

from __future__ import annotations

import itertools
import re
from functools import partial
from operator import is_not

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from framing.lexicon import cues, load_toml, tokenize, tokenize_lines

INPUT_COLUMNS = ("doc", "text", "quoted", "attributed")
_QUOTES = frozenset("\"“”«»")
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


def _column(X, name):
    if isinstance(X, pd.DataFrame):
        return X[name].to_numpy()
    raise TypeError(f"expected a DataFrame with columns {INPUT_COLUMNS}, got {type(X).__name__}")


def _texts(X):
    """The sentence texts, from a DataFrame or a plain sequence of strings."""
    if isinstance(X, pd.DataFrame):
        return X["text"].tolist()
    if isinstance(X, pd.Series):
        return X.tolist()
    return list(X)


class MaskActors(TransformerMixin, BaseEstimator):
    """Lower-case text with named actors and numbers masked.

    A capitalised word inside a sentence is an actor (``_ent_``); one at the
    start of a sentence or quotation is kept only if it was seen in lower
    case during ``fit`` (so "The" stays and "Pakistan" is masked); runs of
    actors collapse to one mask.  Done with whole-batch regular expressions:
    a per-token Python loop cost more than the classifier.
    """

    def __init__(self, mask: bool = True):
        self.mask = mask

    def fit(self, X, y=None):
        words = tokenize(" ".join(_texts(X)))
        self.lowercase_words_ = frozenset(w for w in words if w[:1].islower())
        return self

    def transform(self, X):
        """For a DataFrame, the same frame with a ``masked`` column of token
        lists (shared by the n-grams and ``RhetoricalCues``); for a plain
        sequence of texts, the masked texts with tokens joined by spaces."""
        masked = self._masked(_texts(X))
        if isinstance(X, pd.DataFrame):
            return X.assign(masked=masked)
        return [" ".join(tokens) for tokens in masked]

    def _masked(self, texts: list[str]) -> list[list[str]]:
        if not texts:
            return []
        batch = "\n".join(texts)
        if batch.count("\n") != len(texts) - 1:  # (the splitter's sentences hold none)
            batch = "\n".join(t.replace("\n", " ") for t in texts)
        if self.mask:
            known = self.lowercase_words_

            def initial(match: re.Match) -> str:
                word = match.group()
                return word if word.lower() in known else "_ent_"

            batch = _START_CAPITAL.sub(initial, batch)
            batch = _INNER_CAPITAL.sub("_ent_", batch)
            batch = _NUMBER.sub("_num_", batch)
            batch = _ENT_RUN.sub("_ent_", batch)
        # Tokenised once here; the n-gram analyzer and the cue counter reuse the lists.
        return tokenize_lines(batch.lower())


def word_ngrams(tokens: list[str] | str) -> list[str]:
    """Unigrams and bigrams of masked tokens (a list, or a space-joined text):
    the TF-IDF analyzer."""
    words = tokens.split() if isinstance(tokens, str) else tokens
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class FastTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` whose ``transform`` gives the same matrix faster.

    scikit-learn looks every n-gram up as a new string (and catches a
    ``KeyError`` for each unseen one).  Here, with the ``word_ngrams``
    analyzer, unigrams are looked up once and bigrams become integer pairs
    of unigram indices, found with one ``searchsorted`` over the chunk: a
    bigram seen in training is made of two words seen in training, so
    nothing is missed.  Fitting is unchanged; ``tests/test_features.py``
    checks the outputs are identical to scikit-learn's.
    """

    def transform(self, raw_documents):
        check_is_fitted(self, "vocabulary_")
        if self.analyzer is word_ngrams and self._bigram_table() is not None:
            counts = self._count_pairs(raw_documents)
        else:
            counts = self._count_strings(raw_documents)
        counts.sum_duplicates()
        return self._tfidf.transform(counts, copy=False)

    def _count_strings(self, raw_documents):
        self.__dict__.pop("_last_unseen", None)
        analyze = self.build_analyzer()
        lookup = self.vocabulary_.get
        indices: list[int] = []
        indptr = [0]
        known = partial(is_not, None)  # C-level filter: index 0 is a real feature
        for doc in raw_documents:
            indices.extend(filter(known, map(lookup, analyze(doc))))
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.ones(len(indices), dtype=self.dtype), np.asarray(indices, dtype=np.int32),
             np.asarray(indptr, dtype=np.int32)),
            shape=(len(indptr) - 1, len(self.vocabulary_)),
        )

    def _count_pairs(self, raw_documents):
        lists = raw_documents.tolist() if isinstance(raw_documents, pd.Series) \
            else list(raw_documents)
        if str in set(map(type, lists)):
            lists = [d.split() if isinstance(d, str) else d for d in lists]
        n = len(lists)
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=n)
        flat = list(itertools.chain.from_iterable(lists))
        words = np.fromiter(map(self.vocabulary_.get, flat, itertools.repeat(-1)),
                            dtype=np.int64, count=len(flat))
        rows = np.repeat(np.arange(n), lengths)
        # Each row's share of tokens the vocabulary lacks: framing.model reads
        # it to lower the confidence of sentences unlike the training data.
        self.__dict__["_last_unseen"] = np.bincount(rows, weights=words < 0, minlength=n) \
            / np.maximum(lengths, 1)
        keys, values, first, second = self._bigram_table()
        # Adjacent known words in the same sentence that can begin and end a
        # bigram; their pair key, if it is one.
        left, right = words[:-1], words[1:]
        pair = (left >= 0) & (right >= 0) & (rows[:-1] == rows[1:])
        pair &= first[left] & second[right]  # (-1 indices are masked out above)
        pair_keys = left[pair] * len(self.vocabulary_) + right[pair]
        at = np.minimum(np.searchsorted(keys, pair_keys), max(len(keys) - 1, 0))
        found = keys[at] == pair_keys if len(keys) else np.zeros(len(pair_keys), bool)
        unigram = words >= 0
        return _rows_to_csr(n, len(self.vocabulary_), self.dtype,
                            (rows[unigram], words[unigram]),
                            (rows[:-1][pair][found], values[at[found]]))

    def _bigram_table(self):
        """Sorted integer keys (first word's index · V + second's) of every
        bigram, their feature indices, and which words begin and end one;
        None if some bigram has a word that is not itself a feature (then
        strings are looked up)."""
        cached = self.__dict__.get("_pairs")
        if cached is not None and cached[0] is self.vocabulary_:
            return cached[1]
        vocabulary = self.vocabulary_
        size = len(vocabulary)
        keys, values, table = [], [], None
        for term, index in vocabulary.items():
            parts = term.split(" ")
            if len(parts) == 1:
                continue
            a, b = (vocabulary.get(p) for p in parts) if len(parts) == 2 else (None, None)
            if a is None or b is None:
                break
            keys.append(a * size + b)
            values.append(index)
        else:
            keys = np.asarray(keys, dtype=np.int64)
            order = np.argsort(keys, kind="stable")
            # Which words begin a bigram, which end one (padded: a -1 index is harmless).
            first = np.zeros(size + 1, dtype=bool)
            second = np.zeros(size + 1, dtype=bool)
            first[keys // max(size, 1)] = True
            second[keys % max(size, 1)] = True
            table = (keys[order], np.asarray(values, dtype=np.int64)[order], first, second)
        self.__dict__["_pairs"] = (vocabulary, table)
        return table

    def unseen_share(self, n: int) -> np.ndarray:
        """Share of unknown tokens in each of the *n* rows of the last transform
        (zeros when that transform took the string path)."""
        last = self.__dict__.get("_last_unseen")
        return last if last is not None and len(last) == n else np.zeros(n)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_pairs", None)  # derived from vocabulary_; rebuilt on first use
        state.pop("_last_unseen", None)
        return state


def _rows_to_csr(n: int, width: int, dtype, *parts) -> sp.csr_matrix:
    """A count matrix from (rows, columns) pairs of arrays whose rows are each
    in order, placed straight into CSR (a COO conversion cost as much as all
    the look-ups); duplicates are left for ``sum_duplicates``."""
    sizes = [np.bincount(rows, minlength=n) for rows, _ in parts]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.sum(sizes, axis=0), out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int32)
    before = np.zeros(n, dtype=np.int64)  # entries of earlier parts in each row
    for (rows, cols), size in zip(parts, sizes, strict=True):
        first = np.zeros(n, dtype=np.int64)  # index of each row's first entry in this part
        np.cumsum(size[:-1], out=first[1:])
        indices[indptr[rows] + before[rows] + np.arange(len(rows)) - first[rows]] = cols
        before += size
    return sp.csr_matrix((np.ones(len(indices), dtype=dtype), indices, indptr),
                         shape=(n, width))


class RhetoricalCues(TransformerMixin, BaseEstimator):
    """Dense cue features for each sentence and its context.

    ``context=False`` keeps only the sentence's own cues (for ablations);
    ``position=False`` leaves out where the sentence stands in its document
    (first, last, relative position); ``voice=True`` adds the author's-voice
    block (``_VOICE_NAMES``): evaluative words from VADER's lexicon,
    performative verbs and norms, and the same cues weighted by how much of
    the document speaks in its author's own voice.
    """

    def __init__(self, context: bool = True, position: bool = True, voice: bool = False):
        self.context = context
        self.position = position
        self.voice = voice

    def fit(self, X, y=None):
        self.cue_names_ = list(cues().names)
        self.n_features_out_ = len(self.get_feature_names_out())
        if getattr(self, "voice", False):
            self.imperative_verbs_ = _base_form_verbs(X)
            # Each document share is shrunk towards its mean in the training
            # data by SHRINK pseudo-sentences: a one-sentence input has a
            # share of 0 or 1, which no training document has, and its
            # document features would outweigh its words.
            self.share_prior_ = {}
            names = self.get_feature_names_out()
            out = self.transform(X)
            self.share_prior_ = {name: float(out[:, i].mean()) for i, name in enumerate(names)
                                 if name.startswith("doc_")}
        return self

    def _share(self, counts: np.ndarray, sizes: np.ndarray, name: str) -> np.ndarray:
        """Per-document share of sentences, shrunk towards the training mean."""
        prior = getattr(self, "share_prior_", None)
        if not prior or name not in prior:
            return counts / sizes
        return (counts + SHRINK * prior[name]) / (sizes + SHRINK)

    def own_names(self):
        return [*self.cue_names_, "quoted", "attributed", "question", "imperative",
                "starts_with_quote", "n_words", "first_sentence", "last_sentence",
                *_INTERACTIONS]

    def get_feature_names_out(self, input_features=None):
        own = self.own_names()
        if not self.context:
            return np.array(own, dtype=object)
        names = own + [f"prev_{n}" for n in own] + [f"next_{n}" for n in own]
        names += [f"doc_{n}" for n in _DOC_SIGNALS] + ["position"]
        names += [f"answering_{n}" for n in _ANSWERING]
        if getattr(self, "voice", False):
            names += list(_VOICE_NAMES)
        return np.array(names, dtype=object)

    def transform(self, X):
        texts = _texts(X)
        quoted = _column(X, "quoted").astype(float)
        attributed = _column(X, "attributed").astype(float)
        docs = _column(X, "doc")
        lexicon = cues()
        n = len(texts)
        own = np.zeros((n, len(self.own_names())))
        k = len(self.cue_names_)
        if isinstance(X, pd.DataFrame) and "masked" in X:
            token_lists = X["masked"].tolist()
        else:
            token_lists = [tokenize(text.lower()) for text in texts]
        firsts = [tokens[0] if tokens else "" for tokens in token_lists]
        own[:, k + 2] = [t.rstrip(" \"'”’)").endswith("?") for t in texts]
        verbs = getattr(self, "imperative_verbs_", _IMPERATIVE_STARTS)
        own[:, k + 3] = [f in verbs for f in firsts]
        own[:, k + 4] = [f in _QUOTES for f in firsts]
        own[:, k + 5] = np.minimum(np.fromiter(map(len, token_lists), float, n), 70) / 70
        # Presence, not raw counts: a long sentence is not more accusing.
        voice = getattr(self, "voice", False)
        if voice:  # one pass over the tokens for both lexicons
            from framing.lexicon import cues_and_voice

            both = np.minimum(cues_and_voice().count_many(token_lists).reshape(n, -1), 2) / 2
            own[:, :k], voice_found = both[:, :k], both[:, k:]
        else:
            own[:, :k] = np.minimum(lexicon.count_many(token_lists).reshape(n, k), 2) / 2
        own[:, k] = quoted
        own[:, k + 1] = attributed
        # Document boundaries (rows are in document order).
        new_doc = np.ones(n, dtype=bool)
        new_doc[1:] = docs[1:] != docs[:-1]
        last_doc = np.ones(n, dtype=bool)
        last_doc[:-1] = new_doc[1:]
        if getattr(self, "position", True):
            own[:, k + 6] = new_doc
            own[:, k + 7] = last_doc
        # Interactions a linear model cannot form itself: the same evaluative
        # word means one thing in the author's voice and another in reported
        # speech; a negated negative ("has never sought to threaten") denies.
        col = {name: i for i, name in enumerate(self.own_names())}
        reported = np.maximum(own[:, col["attributed"]], own[:, col["attribution"]] > 0)
        author = 1.0 - reported
        for name in _AUTHOR_VOICE:
            own[:, col[f"author_{name}"]] = own[:, col[name]] * author
        own[:, col["negated_negative_eval"]] = np.minimum(own[:, col["negation"]],
                                                          own[:, col["negative_eval"]])
        own[:, col["we_obligation"]] = np.minimum(own[:, col["first_person_plural"]],
                                                  own[:, col["obligation"]])
        if not self.context:
            return own
        # One output array, filled in place (stacking copies cost a tenth of
        # the cue features' time): own | previous | next | document | ...
        w = own.shape[1]
        out = np.empty((n, self.n_features_out_))
        out[:, :w] = own
        prev, nxt = out[:, w:2 * w], out[:, 2 * w:3 * w]
        prev[1:] = own[:-1]
        prev[0] = 0
        prev[new_doc] = 0
        nxt[:-1] = own[1:]
        nxt[-1] = 0
        nxt[last_doc] = 0
        doc_ids = np.cumsum(new_doc) - 1
        sizes = np.bincount(doc_ids).astype(float)
        doc_means = np.zeros((len(sizes), len(_DOC_SIGNALS)))
        for j, signal in enumerate(_DOC_SIGNALS):
            doc_means[:, j] = self._share(np.bincount(doc_ids, weights=own[:, col[signal]] > 0),
                                          sizes, f"doc_{signal}")
        starts = np.flatnonzero(new_doc)
        position = (np.arange(n) - starts[doc_ids]) / np.maximum(sizes[doc_ids] - 1, 1)
        if not getattr(self, "position", True):
            position = np.zeros(n)
        doc = doc_means[doc_ids]
        # Rule 8 of the codebook: a record of facts, a denial or praise is a
        # defence when the text answers criticism.  The document's share of
        # negatively evaluative sentences stands for "answers criticism".
        criticism = doc[:, _DOC_SIGNALS.index("negative_eval")]
        at = 3 * w
        out[:, at:at + doc.shape[1]] = doc
        at += doc.shape[1]
        out[:, at] = position
        at += 1
        for name in _ANSWERING:
            np.multiply(own[:, col[name]], criticism, out=out[:, at])
            at += 1
        if getattr(self, "voice", False):
            block = _voice_block(voice_found, own, col, author, doc_ids, sizes, self._share)
            out[:, at:at + block.shape[1]] = block
            at += block.shape[1]
        assert at == out.shape[1]
        return out


# Pseudo-sentences of the training mean added to each document share (see fit).
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


# Words after which the next one is a verb in its base form ("must learn",
# "should approve"): the verbs a sentence can start with as an order ("Approve
# them.", "Learn from the past.").  Learned from the training text, since a
# hand list cannot keep up and a part-of-speech tagger needs NLTK data.
_BEFORE_BASE_FORM = frozenset(["must", "should", "will", "would", "can", "could", "may",
                               "might", "shall", "cannot", "please"])
_NOT_VERBS = frozenset(["be", "the", "a", "an", "this", "that", "these", "those", "it", "its",
                        "their", "our", "your", "his", "her", "all", "both", "any", "some",
                        "also", "only", "just", "even", "still", "now", "then", "there",
                        "more", "most", "no", "never", "always", "so", "as", "and", "or",
                        "_ent_", "_num_", "date", "day", "end", "point", "time", "what",
                        "how", "why", "when", "where", "who", "which", "if", "whether",
                        "at", "in", "ever", "instead", "last", "least", "like", "not",
                        "otherwise", "rather", "they", "therefore", "well", "yet", "you",
                        "we", "i", "he", "she", "own", "matter", "rest", "table"])


def _base_form_verbs(X, min_count: int = 2) -> frozenset[str]:
    """Words seen at least *min_count* times right after a modal in the
    training text (not adverbs), plus the hand list of imperative starts."""
    counts: dict[str, int] = {}
    tokens = X["masked"] if isinstance(X, pd.DataFrame) and "masked" in X else \
        [tokenize(t.lower()) for t in _texts(X)]
    for words in tokens:
        for before, word in zip(words, words[1:], strict=False):
            if before in _BEFORE_BASE_FORM and word.isalpha() and not word.endswith("ly"):
                counts[word] = counts.get(word, 0) + 1
    learned = {w for w, n in counts.items() if n >= min_count and w not in _NOT_VERBS}
    return frozenset(learned | _IMPERATIVE_STARTS)


# Sentence-initial words that make an imperative ("Lift the sanctions.").
_IMPERATIVE_STARTS = frozenset(load_toml("cues")["positions"]["imperative_starts"])
