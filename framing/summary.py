"""Summaries of a ``framing batch`` output: label shares per group."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from framing.errors import InputError
from framing.labels import LABELS

PERIODS = ("month", "year", "day", "week")


log = logging.getLogger(__name__)
NO_VALUE = "(none)"


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates parsed value by value (mixed formats in one column are common),
    as the local calendar date each gives: a time zone does not move a
    document into the next day or month.  Unparseable values are NaT."""
    def one(value):
        if value is None or (isinstance(value, float) and value != value) or value == "":
            return pd.NaT
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            return pd.NaT
        return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp

    return pd.to_datetime(values.map(one), errors="coerce")


def require_output(out: str | Path, name: str) -> Path:
    """*out*/*name* of a finished `framing batch` run, or ``InputError``
    saying what to run (an unfinished run is finished by running it again)."""
    path = Path(out) / name
    if path.exists():
        return path
    if (Path(out) / "run.json").exists():
        raise InputError(f"{out}: this `framing batch` run is unfinished (no {name} yet); "
                         "run the same batch command again to finish it")
    raise InputError(f"{out}: no {name}; run `framing batch ... -o {out}` first")


def unscored(out: str | Path) -> int:
    """How many documents of a batch output were not scored (rows of its
    errors.csv: empty, binary, another language, unreadable rows)."""
    path = Path(out) / "errors.csv"
    if not path.exists():
        return 0
    return len(pd.read_csv(path, dtype=str, keep_default_na=False))


def summarize(out: str | Path, by: Iterable[str], *, date_column: str | None = None
              ) -> pd.DataFrame:
    """Label shares per group of documents of a batch output.

    ``by`` names metadata columns, or ``month``/``year``/``week``/``day`` of
    the date column (``date_column``, else a column named date, published,
    published_at, datetime or timestamp).  Shares are of sentences in the group.
    """
    if isinstance(by, str):
        by = [by]  # one column, not its letters
    frame = pd.read_parquet(require_output(out, "documents.parquet"))
    keys = []
    for key in by:
        if key in PERIODS and key not in frame.columns:
            column = date_column or next(
                (c for c in ("date", "published", "published_at", "datetime", "timestamp")
                 if c in frame.columns), None)
            if column is None:
                raise InputError(f"--by {key} needs a date column; name it with --date-column "
                                 f"(columns: {', '.join(frame.columns[:20])})")
            if column not in frame.columns:
                raise InputError(f"--date-column {column}: no such column; columns: "
                                 f"{', '.join(frame.columns[:20])}")
            dates = parse_dates(frame[column])
            if len(frame) and dates.isna().all():
                raise InputError(f"column {column!r} holds no dates (e.g. "
                                 f"{str(frame[column].iloc[0])[:30]!r}); name the date column "
                                 "with --date-column")
            freq = {"month": "M", "year": "Y", "week": "W", "day": "D"}[key]
            frame[key] = dates.dt.to_period(freq).astype("string").fillna(NO_VALUE)
            missing = int(dates.isna().sum())
            if missing:
                log.warning("%d of %d documents have no usable date in %r; they are grouped "
                            "as %s", missing, len(frame), column, NO_VALUE)
        elif key not in frame.columns:
            raise InputError(f"no column {key!r} to group by; columns: "
                             f"{', '.join(frame.columns[:20])}")
        else:
            # A document without the value is a group of its own, named so.
            frame[key] = frame[key].astype("string").fillna(NO_VALUE).replace("", NO_VALUE)
        keys.append(key)
    if not keys:
        frame["all"] = "all"
        keys = ["all"]
    counts = [f"n_{lab}" for lab in LABELS]
    grouped = frame.groupby(keys, dropna=False, sort=True)
    table = grouped[["n_sentences", *counts]].sum()
    table.insert(0, "n_documents", grouped.size())
    for lab in LABELS:
        table[f"share_{lab}"] = table[f"n_{lab}"] / table["n_sentences"].where(
            table["n_sentences"] > 0)
    acts = [lab for lab in ("policy_recommendation", "accusation", "defence")]
    table["dominant_act"] = table[[f"n_{a}" for a in acts]].idxmax(axis=1).str[2:].where(
        table[[f"n_{a}" for a in acts]].max(axis=1) > 0, "")
    table = table.reset_index()
    # Natural order: "doc:2" before "doc:10", as people count.
    return table.sort_values(keys, key=lambda col: col.map(_natural), kind="stable",
                             ignore_index=True)


def _natural(value) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", str(value)) if part)
