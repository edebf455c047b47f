"""Assemble labelled documents into the sentence table the model trains on.

Label files name documents by id; the sources live in document folders
(``seeds/`` and ``corpus/written/`` by default), each with an optional
``documents.csv`` of metadata (genre, topic, region, written).  Training rows
get the splitter's quotation flags, so a sentence is featurised the same way
at training and at scoring time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from framing.errors import LabelError
from framing.labels import label_files, read_csv_table, read_labels
from framing.sentences import split_sentences

DEFAULT_DOCUMENT_DIRS = ("seeds", "corpus/written")
DEFAULT_LABEL_DIR = "labels"
METADATA_COLUMNS = ("genre", "topic", "region", "written", "seed_phrases")
log = logging.getLogger("framing")


def load_documents(dirs: Iterable[str | Path] = DEFAULT_DOCUMENT_DIRS) -> dict[str, str]:
    """Map document id (file name without ``.txt``) to its text, over *dirs*."""
    documents: dict[str, str] = {}
    for folder in map(Path, dirs):
        for path in sorted(folder.glob("*.txt")):
            documents[path.stem] = path.read_text(encoding="utf-8")
    return documents


def load_metadata(dirs: Iterable[str | Path] = DEFAULT_DOCUMENT_DIRS) -> pd.DataFrame:
    """The ``documents.csv`` files of *dirs*, one row per document id."""
    frames = [
        read_csv_table(folder / "documents.csv")
        for folder in map(Path, dirs)
        if (folder / "documents.csv").exists()
    ]
    if not frames:
        return pd.DataFrame(columns=["id", *METADATA_COLUMNS])
    return pd.concat(frames, ignore_index=True).drop_duplicates("id").set_index("id")


def training_table(
    label_paths: Iterable[str | Path] = (DEFAULT_LABEL_DIR,),
    document_dirs: Iterable[str | Path] = DEFAULT_DOCUMENT_DIRS,
) -> pd.DataFrame:
    """Validated labels joined with splitter flags and document metadata.

    Columns: document, doc (same), sentence, start, end, text, label, note,
    quoted, attributed, genre, topic, region, written.
    """
    documents = load_documents(document_dirs)
    documents.update(_sources(label_paths, documents))
    labels = read_labels(label_paths, documents)
    missing = sorted(set(labels["document"]) - set(documents))
    if missing:
        log.warning("%d labelled documents not found in %s (e.g. %s): their sentences train "
                    "without document context; add the .txt files there, pass --documents, "
                    "or fill the label file's source column", len(missing),
                    ", ".join(map(str, document_dirs)), missing[0])
        for doc in missing:
            rows = labels[labels["document"] == doc]
            # A stand-in document: the labelled sentences at their own offsets.
            width = int(rows["end"].max())
            text = [" "] * width
            for r in rows.itertuples():
                text[r.start:r.end] = r.text
            documents[doc] = "".join(text)
    flags = {}
    for doc in labels["document"].unique():
        for s in split_sentences(documents[doc]):
            flags[(doc, s.start, s.end)] = (s.quoted, s.attributed)
    keys = zip(labels["document"], labels["start"], labels["end"], strict=True)
    quoted, attributed = zip(*(_flags_for(flags, *k, documents) for k in keys), strict=True)
    table = labels.drop(columns=["file", "line", "source", "prev", "next"]).assign(
        doc=labels["document"], quoted=quoted, attributed=attributed
    )
    meta = load_metadata(document_dirs)
    for column in METADATA_COLUMNS:
        values = table["document"].map(meta[column]) if column in meta else None
        table[column] = (values.astype(object).fillna("unknown") if values is not None
                         else "unknown")
    # Documents without a topic each count as their own topic in grouped CV.
    table.loc[table["topic"] == "unknown", "topic"] = table["document"]
    return table


def _sources(label_paths, known: dict[str, str]) -> dict[str, str]:
    """Documents named by the label files' ``source`` column (path relative to
    the label file, or absolute) that the document folders do not hold."""
    found = {}
    for path in label_files(label_paths):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                                on_bad_lines="skip") if path.stat().st_size else pd.DataFrame()
        except (UnicodeDecodeError, pd.errors.ParserError):
            continue  # read_labels names the file and the fix
        if not {"document", "source"} <= set(frame.columns):
            continue
        for doc, source in frame[["document", "source"]].drop_duplicates().itertuples(
                index=False):
            if doc in known or doc in found or not source:
                continue
            candidate = Path(source) if Path(source).is_absolute() else path.parent / source
            for option in (candidate, Path(source)):
                if option.is_file():
                    found[doc] = option.read_text(encoding="utf-8")
                    break
    return found


def _flags_for(flags, doc, start, end, documents):
    """Splitter flags for a labelled span; spans the splitter cuts differently
    (labels written by hand or by an older splitter) are split on their own."""
    if (doc, start, end) in flags:
        return flags[(doc, start, end)]
    pieces = split_sentences(documents[doc][start:end])
    if not pieces:
        raise LabelError([f"{doc}[{start}:{end}]: span holds no sentence"])
    return any(p.quoted for p in pieces), any(p.attributed for p in pieces)


def data_hash(label_paths: Iterable[str | Path], document_dirs: Iterable[str | Path]) -> str:
    """sha256 over the label files and the documents they label."""
    digest = hashlib.sha256()
    for path in label_files(label_paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for doc_id, text in sorted(load_documents(document_dirs).items()):
        digest.update(doc_id.encode())
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()
