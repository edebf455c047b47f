"""framing: tag every sentence of news and opinion text with the rhetorical act it performs.

>>> import framing
>>> table = framing.score_text("The ministry must lift the ban. Officials said talks continue.")
>>> list(table.columns[:7])
['doc', 'sentence', 'start', 'end', 'text', 'label', 'confidence']
"""

import importlib

# Names are imported on first use (PEP 562): `import framing` stays cheap, and
# the command line decides when the heavy imports happen (see framing.__main__).
_WHERE = {
    "batch": "framing.batchrun",
    "BatchOptions": "framing.corpus",
    "FramingError": "framing.errors",
    "InputError": "framing.errors",
    "LabelError": "framing.errors",
    "ModelError": "framing.errors",
    "LABELS": "framing.labels",
    "read_labels": "framing.labels",
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
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'framing' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_WHERE])


__all__ = list(_WHERE)
