"""framing: tag every sentence of news and opinion text with the rhetorical act it performs.

>>> import framing
>>> table = framing.score_text("The ministry must lift the ban. Officials said talks continue.")
>>> list(table.columns[:7])
['doc', 'sentence', 'start', 'end', 'text', 'label', 'confidence']
"""

from framing.batchrun import batch
from framing.corpus import BatchOptions
from framing.errors import FramingError, InputError, LabelError, ModelError
from framing.labels import LABELS, read_labels
from framing.model import load_model, save_model
from framing.scoring import profile, score_files, score_text
from framing.sentences import Sentence, split_sentences
from framing.summary import summarize
from framing.training import train

__all__ = [
    "LABELS",
    "BatchOptions",
    "batch",
    "summarize",
    "FramingError",
    "InputError",
    "LabelError",
    "ModelError",
    "Sentence",
    "load_model",
    "profile",
    "read_labels",
    "save_model",
    "score_files",
    "score_text",
    "split_sentences",
    "train",
]
