import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from framing.features import MaskActors, RhetoricalCues
from framing.scoring import sentence_table


def frame(*texts, doc="d"):
    return sentence_table(" ".join(texts), doc)


def test_mask_actors_hides_names_and_numbers():
    fitted = MaskActors().fit(["the ministry said it rejects claims"])
    assert fitted.transform(["The Pakistani Foreign Office rejected 12 claims by Washington.",
                             "“It rejects claims,” said Jon Finer of the U.S. in 2024."]) \
        == ["the _ent_ rejected _num_ claims by _ent_ .",
            "“ it rejects claims , ” said _ent_ of the _ent_ . in _num_ ."]
    # A sentence-initial name is masked too: it was never seen in lower case.
    assert fitted.transform(["Islamabad rejected the claims."]) == ["_ent_ rejected the claims ."]


def test_mask_actors_can_be_switched_off():
    assert MaskActors(mask=False).fit([]).transform(["Islamabad said 12."]) == \
        ["islamabad said 12 ."]


@pytest.mark.parametrize("estimator", [MaskActors(), RhetoricalCues(), RhetoricalCues(False)])
def test_estimator_contract(estimator):
    # __init__ stores parameters only; clone round-trips them; fit returns self.
    assert clone(estimator).get_params() == estimator.get_params()
    X = frame("We must act now.", "They said so.")
    assert estimator.fit(X) is estimator
    learned = [k for k in vars(estimator) if k.endswith("_") and not k.startswith("_")]
    assert learned


def cue(X, name, context=True):
    cues = RhetoricalCues(context=context).fit(X)
    names = list(cues.get_feature_names_out())
    return cues.transform(X)[:, names.index(name)]


def test_cues_capture_modality_attribution_denial_and_questions():
    X = frame("We call on the council to act.", "The minister said talks continue.",
              "These claims are baseless and we have never violated the accord.",
              "Why did the company wait?", "Lift the ban.")
    assert cue(X, "obligation").tolist() == [0.5, 0, 0, 0, 0]
    assert cue(X, "attribution").tolist() == [0, 0.5, 0, 0, 0]
    assert cue(X, "denial")[2] > 0 and cue(X, "negative_eval")[2] > 0
    assert cue(X, "question").tolist() == [0, 0, 0, 1, 0]
    assert cue(X, "imperative").tolist() == [0, 0, 0, 0, 1]
    assert cue(X, "first_person_plural")[[0, 2]].tolist() == [0.5, 0.5]


def test_context_does_not_cross_documents():
    X = pd.concat([frame("We must act.", "Fine.", doc="a"),
                   frame("They said so.", doc="b")], ignore_index=True)
    assert cue(X, "prev_obligation").tolist() == [0, 0.5, 0]
    assert cue(X, "next_obligation").tolist() == [0, 0, 0]
    assert cue(X, "next_attribution").tolist() == [0, 0, 0]
    assert cue(X, "doc_obligation").tolist() == [0.5, 0.5, 0]
    assert cue(X, "position").tolist() == [0, 1, 0]


def test_width_matches_names():
    X = frame("We must act.", "They said so.")
    for context in (True, False):
        cues = RhetoricalCues(context=context).fit(X)
        assert cues.transform(X).shape == (2, len(cues.get_feature_names_out()))
        assert np.isfinite(cues.transform(X)).all()


def test_fast_tfidf_matches_scikit_learn(table):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from framing.features import FastTfidfVectorizer, word_ngrams

    train = MaskActors().fit(table).transform(table["text"])
    unseen = ["a wholly new sentence about the ban .", "", "the ban the ban"] + train
    params = {"analyzer": word_ngrams, "min_df": 1, "sublinear_tf": True}
    ours = FastTfidfVectorizer(**params).fit(train).transform(unseen)
    theirs = TfidfVectorizer(**params).fit(train).transform(unseen)
    assert (ours != theirs).nnz == 0
    assert ours.has_sorted_indices
    # With max_df a frequent word can leave the vocabulary while its bigrams
    # stay: the integer-pair look-up cannot work, and strings are looked up.
    params = {"analyzer": word_ngrams, "min_df": 1, "max_df": 0.2, "sublinear_tf": True}
    ours = FastTfidfVectorizer(**params).fit(train)
    assert ours._bigram_table() is None
    assert (ours.transform(unseen) != TfidfVectorizer(**params).fit(train).transform(unseen)
            ).nnz == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(
    ["we", "call", "on", "the", "council", "it", "is", "time", "baseless", "accused", "not",
     "never", "according", "to", "said", "the", "only", "way", "in", "fact", "x"]), max_size=12),
    max_size=8))
def test_vectorised_cue_counts_match_the_definition(token_lists):
    from framing.lexicon import cues

    lexicon = cues()

    def naive(tokens):
        counts = [0] * len(lexicon.names)
        for j, tok in enumerate(tokens):
            for i in lexicon._ids(tok):
                counts[i] += 1
            for rest, i in lexicon._phrases.get(tok, ()):
                if tuple(tokens[j + 1:j + 1 + len(rest)]) == rest:
                    counts[i] += 1
        return counts

    counts = lexicon.count_many(token_lists)
    assert counts.shape == (len(token_lists), len(lexicon.names))
    assert counts.tolist() == [naive(t) for t in token_lists]
    assert [lexicon.count(t) for t in token_lists] == [naive(t) for t in token_lists]
    for i, name in enumerate(lexicon.names):
        assert [lexicon.has(name, t) for t in token_lists] == \
            [naive(t)[i] > 0 for t in token_lists]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\n", "  ", "\t", "don't", " n't", "-", "’",
                                 "x-y", ".", "“", "é", "_ent_", "\r", "\u00a0"]),
                max_size=30).map("".join))
def test_tokenize_lines_matches_tokenizing_each_line(text):
    from framing.lexicon import tokenize, tokenize_lines

    assert tokenize_lines(text) == [tokenize(line) for line in text.split("\n")]
