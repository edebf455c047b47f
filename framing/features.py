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

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from framing.lexicon import cues, tokenize
from framing.linear import (
    IMPERATIVE_STARTS,
    INPUT_COLUMNS,
    bigram_table,
    count_pairs,
    count_strings,
    cue_feature_names,
    cue_features,
    mask_texts,
    own_names,
    word_ngrams,
)


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
        return mask_texts(texts, self.lowercase_words_ if self.mask else None)


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
        indptr, indices = count_strings(raw_documents, self.build_analyzer(), self.vocabulary_)
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
        vocabulary = self.vocabulary_
        unigrams = self.__dict__.get("_unigrams")
        if unigrams is None or unigrams[0] is not vocabulary:
            unigrams = (vocabulary, {t: i for t, i in vocabulary.items() if " " not in t})
            self.__dict__["_unigrams"] = unigrams
        parts, unseen = count_pairs(lists, unigrams[1], len(vocabulary), self._bigram_table())
        # Each row's share of tokens the vocabulary lacks: framing.model reads
        # it to lower the confidence of sentences unlike the training data.
        self.__dict__["_last_unseen"] = unseen
        return _rows_to_csr(len(lists), len(vocabulary), self.dtype, *parts)

    def _bigram_table(self):
        """``framing.linear.bigram_table`` of the vocabulary, kept."""
        cached = self.__dict__.get("_pairs")
        if cached is not None and cached[0] is self.vocabulary_:
            return cached[1]
        table = bigram_table(self.vocabulary_)
        self.__dict__["_pairs"] = (self.vocabulary_, table)
        return table

    def unseen_share(self, n: int) -> np.ndarray:
        """Share of unknown tokens in each of the *n* rows of the last transform
        (zeros when that transform took the string path)."""
        last = self.__dict__.get("_last_unseen")
        return last if last is not None and len(last) == n else np.zeros(n)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_pairs", None)  # derived from vocabulary_; rebuilt on first use
        state.pop("_unigrams", None)
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
    block (``framing.linear._VOICE_NAMES``): evaluative words from VADER's lexicon,
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
            # data by SHRINK (``framing.linear``) pseudo-sentences: a one-sentence input has a
            # share of 0 or 1, which no training document has, and its
            # document features would outweigh its words.
            self.share_prior_ = {}
            names = self.get_feature_names_out()
            out = self.transform(X)
            self.share_prior_ = {name: float(out[:, i].mean()) for i, name in enumerate(names)
                                 if name.startswith("doc_")}
        return self

    def own_names(self):
        return own_names(self.cue_names_)

    def get_feature_names_out(self, input_features=None):
        return np.array(cue_feature_names(self.cue_names_, context=self.context,
                                          voice=getattr(self, "voice", False)), dtype=object)

    def transform(self, X):
        """``framing.linear.cue_features`` of a sentence table."""
        texts = _texts(X)
        if isinstance(X, pd.DataFrame) and "masked" in X:
            token_lists = X["masked"].tolist()
        else:
            token_lists = [tokenize(text.lower()) for text in texts]
        return cue_features(
            texts, token_lists, _column(X, "quoted"), _column(X, "attributed"),
            _column(X, "doc"), cue_names=self.cue_names_, context=self.context,
            position=getattr(self, "position", True), voice=getattr(self, "voice", False),
            verbs=getattr(self, "imperative_verbs_", IMPERATIVE_STARTS),
            share_prior=getattr(self, "share_prior_", None))


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
    return frozenset(learned | IMPERATIVE_STARTS)
