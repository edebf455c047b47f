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
with the columns in ``INPUT_COLUMNS``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from framing.lexicon import cues, tokenize

INPUT_COLUMNS = ("doc", "text", "quoted", "attributed")
_QUOTES = set("\"“”«»")
_SENT_PUNCT = set(".?!")


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

    Mid-sentence capitalised words are actors (``_ent_``); a sentence's first
    word is kept only if it was seen in lower case during ``fit`` (so "The"
    stays and "Pakistan" is masked); runs of actors collapse to one mask.
    """

    def __init__(self, mask: bool = True):
        self.mask = mask

    def fit(self, X, y=None):
        lower = set()
        for text in _texts(X):
            lower.update(t for t in tokenize(text) if t[:1].islower())
        self.lowercase_words_ = frozenset(lower)
        return self

    def transform(self, X):
        return [self._mask(text) for text in _texts(X)]

    def _mask(self, text: str) -> str:
        out = []
        previous = ""
        for i, tok in enumerate(tokenize(text)):
            word = tok.lower()
            if self.mask:
                if tok[0].isdigit():
                    word = "_num_"
                elif tok[0].isupper() and (
                    (i > 0 and previous not in _QUOTES and previous not in _SENT_PUNCT)
                    or word not in self.lowercase_words_
                ):
                    word = "_ent_"
                if word == "_ent_" and out and out[-1] == "_ent_":
                    previous = tok
                    continue
            out.append(word)
            previous = tok
        return " ".join(out)


class RhetoricalCues(TransformerMixin, BaseEstimator):
    """Dense cue features for each sentence and its context.

    ``context=False`` keeps only the sentence's own cues (for ablations).
    """

    def __init__(self, context: bool = True):
        self.context = context

    def fit(self, X, y=None):
        self.cue_names_ = list(cues().names)
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def own_names(self):
        return [*self.cue_names_, "quoted", "attributed", "question", "imperative",
                "starts_with_quote", "n_words", "first_sentence", "last_sentence"]

    def get_feature_names_out(self, input_features=None):
        own = self.own_names()
        if not self.context:
            return np.array(own, dtype=object)
        names = own + [f"prev_{n}" for n in own] + [f"next_{n}" for n in own]
        names += [f"doc_{n}" for n in _DOC_SIGNALS] + ["position"]
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
        for i, text in enumerate(texts):
            tokens = tokenize(text)
            lower = [t.lower() for t in tokens]
            n_words = sum(1 for t in tokens if t[0].isalnum()) or 1
            # Presence, not raw counts: a long sentence is not more accusing.
            own[i, :k] = np.minimum(lexicon.count(lower), 2) / 2
            stripped = text.rstrip(" \"'”’)")
            own[i, k + 2] = stripped.endswith("?")
            first = lower[0] if lower else ""
            own[i, k + 3] = first in _IMPERATIVE_STARTS
            own[i, k + 4] = bool(tokens) and tokens[0] in _QUOTES
            own[i, k + 5] = min(n_words, 60) / 60
        own[:, k] = quoted
        own[:, k + 1] = attributed
        # Document boundaries (rows are in document order).
        new_doc = np.ones(n, dtype=bool)
        new_doc[1:] = docs[1:] != docs[:-1]
        last_doc = np.ones(n, dtype=bool)
        last_doc[:-1] = new_doc[1:]
        own[:, k + 6] = new_doc
        own[:, k + 7] = last_doc
        if not self.context:
            return own
        prev = np.zeros_like(own)
        prev[1:] = own[:-1]
        prev[new_doc] = 0
        nxt = np.zeros_like(own)
        nxt[:-1] = own[1:]
        nxt[last_doc] = 0
        doc_ids = np.cumsum(new_doc) - 1
        sizes = np.bincount(doc_ids).astype(float)
        signal_cols = [self.own_names().index(s) for s in _DOC_SIGNALS]
        doc_means = np.zeros((len(sizes), len(signal_cols)))
        for j, col in enumerate(signal_cols):
            doc_means[:, j] = np.bincount(doc_ids, weights=own[:, col] > 0) / sizes
        starts = np.flatnonzero(new_doc)
        position = (np.arange(n) - starts[doc_ids]) / np.maximum(sizes[doc_ids] - 1, 1)
        return np.hstack([own, prev, nxt, doc_means[doc_ids], position[:, None]])


# Document-level genre signals: what share of the document's sentences carry them.
_DOC_SIGNALS = ("attribution", "quoted", "attributed", "first_person_plural", "obligation",
                "negative_eval", "denial", "question")

# Sentence-initial words that make an imperative ("Lift the sanctions.").
_IMPERATIVE_STARTS = frozenset(
    "let stop end lift halt restore return release respect reverse withdraw resume engage "
    "ensure adopt reject drop scrap fund pay give make take keep start open close publish "
    "invest enforce protect support talk negotiate listen act remember consider imagine".split()
)
