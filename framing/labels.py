"""Read and validate label files.  The label set lives here, once.

A label file is a CSV with the columns in ``COLUMNS`` (``note`` optional);
see ``labels/CODEBOOK.md``.  Every file is validated when it is loaded and
every problem is reported as ``file:line: problem``; nothing is dropped
silently.  Exact duplicate rows (the same sentence with the same label, in
one file or several) are collapsed with a warning.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from framing.errors import InputError, LabelError

if TYPE_CHECKING:  # (pandas is imported when label files are read: scoring needs only LABELS)
    import pandas as pd

LABELS: tuple[str, ...] = ("accusation", "defence", "policy_recommendation", "neutral_reporting")
NEUTRAL = "neutral_reporting"
ACTS: tuple[str, ...] = tuple(label for label in LABELS if label != NEUTRAL)
# One line per label, as in labels/CODEBOOK.md (a test keeps them equal).
DEFINITIONS: dict[str, str] = {
    "accusation": "The author blames, condemns, discredits or attributes bad intent, fault or "
                  "harm to a party.",
    "defence": "The author rebuts criticism, denies wrongdoing, or justifies / vindicates a "
               "party against (implied) blame.",
    "policy_recommendation": "The author says what a party should do, must do or ought to "
                             "stop doing.",
    "neutral_reporting": "The author reports, describes, attributes or analyses without taking "
                         "one of the three acts.",
}
# The codebook's tie-break order for mixed sentences and dominant acts.
PRIORITY: tuple[str, ...] = ("policy_recommendation", "accusation", "defence", NEUTRAL)
# What a document profile's "dominant act" is, in the words every output uses.
DOMINANT_MEANS = ("dominant act: the act with the most sentences, neutral reporting aside; "
                  "a tie goes to policy_recommendation, then accusation, then defence "
                  "(the codebook's priority); none when no sentence performs one")
COLUMNS: tuple[str, ...] = ("document", "sentence", "start", "end", "text", "label")
# note: why a hard case went the way it did; source: path of the document's
# text file; prev/next: neighbouring sentences (written by `framing suggest`).
OPTIONAL_COLUMNS: tuple[str, ...] = ("note", "source", "prev", "next")

log = logging.getLogger("framing")


def suggest_label(value: str) -> str:
    """The ' (did you mean ...?)' hint for a mistyped or shortened label, or ''."""
    value = value.strip().lower()
    starts = [label for label in LABELS if value and label.startswith(value)]
    close = starts or difflib.get_close_matches(value, LABELS, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def label_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders to the ``*.csv`` files inside them, sorted."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            # CSV label files, and exports of annotation tools (framing.interop).
            files.extend(sorted(p for p in path.iterdir()
                                if p.suffix.lower() in (".csv", ".json", ".jsonl")))
        elif path.exists():
            files.append(path)
        else:
            raise LabelError([f"{path}: no such label file or folder"])
    if not files:
        raise LabelError(["no label files found: pass a CSV file or a folder with *.csv files"])
    return files


def read_labels(
    paths: Iterable[str | Path], documents: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read, validate and combine label files.

    *documents* maps document id to its source text; when given, every span
    is checked against it (``source[start:end] == text``).  Raises
    ``LabelError`` listing every problem found.
    """
    import pandas as pd

    problems: list[str] = []
    frames = []
    for path in label_files(paths):
        frame = _read_one(path, documents, problems)
        if frame is not None:
            frames.append(frame)
    if problems:
        raise LabelError(problems)
    table = pd.concat(frames, ignore_index=True)
    table = _collapse_duplicates(table, problems)
    if problems:
        raise LabelError(problems)
    return table.sort_values(["document", "start"], kind="stable").reset_index(drop=True)


def read_csv_table(path: str | Path) -> pd.DataFrame:
    """A CSV file as strings; ``InputError`` naming the file and the fix when
    it is not UTF-8 or not a CSV (a label, to-do or answers file)."""
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the file as UTF-8 CSV "
                         "(in a spreadsheet: CSV UTF-8)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV "
                         f"({str(exc).strip().splitlines()[0]})") from None


def _read_one(path: Path, documents: dict[str, str] | None, problems: list[str]):
    import pandas as pd

    if path.suffix.lower() in (".json", ".jsonl"):
        # An export of Label Studio, doccano or Prodigy (framing.interop).
        from framing.interop import read_annotations

        try:
            frame = read_annotations(path).astype(str)
        except LabelError as exc:
            problems.extend(exc.problems)
            return None
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}:1: cannot be read ({exc})")
            return None
        return _validate(path, frame, documents, problems)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{path}:1: not UTF-8 text; save the file as UTF-8 CSV")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.append(f"{path}:1: not a readable CSV ({str(exc).strip().splitlines()[0]})")
        return None
    if {"text", "label"} <= set(frame.columns) and not {"document", "start", "end"} \
            & set(frame.columns):
        # The simplest file a user writes: text and label.  Each row becomes a
        # one-sentence document of its own (no context), with a warning.
        log.warning("%s: no document, start and end columns: each of its %d sentences trains "
                    "without the article around it (`framing label` writes files with them)",
                    path, len(frame))
        frame["document"] = [f"{path.stem}:{i}" for i in range(2, len(frame) + 2)]
        frame["sentence"] = "0"
        frame["start"] = "0"
        frame["end"] = [str(len(t)) for t in frame["text"]]
    return _validate(path, frame, documents, problems)


def _validate(path: Path, frame: pd.DataFrame, documents: dict[str, str] | None,
              problems: list[str]):
    import pandas as pd

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        problems.append(
            f"{path}:1: missing column(s) {', '.join(missing)}; "
            f"a label file needs {', '.join(COLUMNS)} (and optionally note)"
        )
        return None
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame[list(COLUMNS + OPTIONAL_COLUMNS)].copy()
    # Line numbers as a spreadsheet shows them: the header is line 1.
    frame["file"] = str(path)
    frame["line"] = range(2, len(frame) + 2)
    for row in frame.itertuples(index=False):
        where = f"{path}:{row.line}"
        if not row.document.strip():
            problems.append(f"{where}: empty document id")
        if not row.text.strip():
            problems.append(f"{where}: empty text")
        label = row.label.strip()
        if not label:
            continue  # not labelled yet (a `framing suggest` to-do row): counted below
        if label not in LABELS:
            shown = f"'{row.label}'" if label else "empty label"
            problems.append(
                f"{where}: {shown} is not a label{suggest_label(row.label)}; "
                f"expected one of {', '.join(LABELS)}"
            )
        bad_ints = [c for c in ("sentence", "start", "end")
                    if not getattr(row, c).strip().isdigit()]
        if bad_ints:
            problems.append(f"{where}: {', '.join(bad_ints)} must be a whole number >= 0")
            continue
        start, end = int(row.start), int(row.end)
        if end <= start:
            problems.append(f"{where}: end ({end}) must be greater than start ({start})")
        elif (documents is not None and row.document in documents
              and documents[row.document][start:end] != row.text):
                problems.append(
                    f"{where}: text does not match {row.document}[{start}:{end}]; "
                    "fix the span or the text"
                )
    frame["label"] = frame["label"].str.strip()
    todo = frame["label"] == ""
    if todo.any():
        log.warning("%s: %d rows have no label (a to-do list: `framing label %s` writes the "
                    "answers to another file); skipped", path, int(todo.sum()), path)
        frame = frame[~todo].copy()
    for column in ("sentence", "start", "end"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(-1).astype(int)
    return frame


def _collapse_duplicates(table: pd.DataFrame, problems: list[str]) -> pd.DataFrame:
    key = ["document", "start", "end"]
    groups = table.groupby(key, sort=False)
    keep = []
    for _, group in groups:
        first = group.iloc[0]
        if group["label"].nunique() > 1:
            where = "; ".join(f"{r.file}:{r.line} says {r.label}" for r in group.itertuples())
            problems.append(
                f"{first.file}:{first.line}: conflicting labels for the same sentence ({where})"
            )
        elif len(group) > 1:
            others = ", ".join(f"{r.file}:{r.line}" for r in group.iloc[1:].itertuples())
            log.warning("%s:%s: duplicate of %s, kept once", first.file, first.line, others)
        keep.append(group.index[0])
    return table.loc[sorted(keep)]
