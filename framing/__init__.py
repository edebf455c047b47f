"""framing: tag every sentence of news and opinion text with the rhetorical act it performs.

>>> import framing
>>> table = framing.score_text("The ministry must lift the ban. Officials said talks continue.")
>>> list(table.columns[:7])
['doc', 'sentence', 'start', 'end', 'text', 'label', 'confidence']

The API (imported on first use; ``help(framing.score_text)`` and so on for each):

    score_text(text, model=None)        one text → one row per sentence
    score_files(paths, model=None)      files → one table, a ``doc`` column per file
    profile(table)                      one row per document: counts, shares, dominant act
    split_sentences(text)               Sentence spans with heading and quotation flags
    load_model(path=None)               (pipeline, card); the model ``framing models`` marks
    load_linear(path=None)              (LinearModel, card): the same model as arrays, what
                                        scoring reads (no scikit-learn import)
    save_model(pipeline, card, path)    write a model and its card
    train(label_paths, document_dirs)   validated labels → a fitted model and its card
    read_labels(paths)                  validated label files as one table
    batch(inputs, out, options)         score a corpus into a folder (see BatchOptions)
    summarize(out, by=[...])            label shares per group of a batch output
    LABELS                              the four labels, in order
    FramingError, InputError, LabelError, ModelError   what the library raises
"""

import importlib

# Names are imported on first use (PEP 562): `import framing` stays cheap, and
# the command line decides when the heavy imports happen (see framing.cli._IMPORTS).
_WHERE = {
    "batch": "framing.batchrun",
    "BatchOptions": "framing.corpus",
    "FramingError": "framing.errors",
    "InputError": "framing.errors",
    "LabelError": "framing.errors",
    "ModelError": "framing.errors",
    "LABELS": "framing.labels",
    "LinearModel": "framing.linear",
    "read_labels": "framing.labels",
    "load_linear": "framing.model",
    "load_model": "framing.model",
    "save_model": "framing.model",
    "profile": "framing.scoring",
    "score_files": "framing.scoring",
    "score_text": "framing.scoring",
    "Sentence": "framing.sentences",
    "split_sentences": "framing.sentences",
    "summarize": "framing.summary",
    "train": "framing.training",
}


def __getattr__(name: str):
    """Import a public name from its module the first time it is used (PEP 562)."""
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'framing' has no attribute {name!r}")


def __dir__():
    """The public names too, before they are imported."""
    return sorted([*globals(), *_WHERE])


__all__ = list(_WHERE)
