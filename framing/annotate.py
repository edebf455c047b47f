"""``framing label``: label sentences in the terminal.

Shows each sentence with its neighbours, the model's guess and the
codebook's one-line definitions; one key per label, plus skip, undo, note
and quit.  Every answer is appended to the output CSV and flushed to disk at
once, so a crash loses at most the sentence on screen; running the command
again resumes with the first sentence not yet answered.  Reads keys one at a
time on a terminal and one answer per line from a pipe (so it can be scripted
and tested).
"""

from __future__ import annotations

import csv
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from framing.files import replacing
from framing.ids import terminal_safe
from framing.labels import DEFINITIONS, LABELS, read_csv_table

OUT_COLUMNS = ("document", "sentence", "start", "end", "text", "label", "note", "source",
               "prev", "next")
KEYS = {"a": "accusation", "1": "accusation", "d": "defence", "2": "defence",
        "p": "policy_recommendation", "3": "policy_recommendation",
        "n": "neutral_reporting", "4": "neutral_reporting"}
HELP = ("keys: [a]ccusation [d]efence [p]olicy_recommendation [n]eutral_reporting "
        "(or 1-4), [s]kip, [u]ndo, [c]omment, [q]uit, [?] help")


def rows_from_article(path: Path, text: str, out: Path, model=None) -> pd.DataFrame:
    """To-do rows for every sentence of an article, with the model's guesses."""
    from framing.scoring import score_text

    scored = score_text(text, model, doc=path.stem)
    source = os.path.relpath(path.resolve(), out.resolve().parent)
    return pd.DataFrame({
        "document": scored["doc"], "sentence": scored["sentence"], "start": scored["start"],
        "end": scored["end"], "text": scored["text"],
        "prev": scored["text"].shift(1, fill_value=""),
        "next": scored["text"].shift(-1, fill_value=""),
        "guess": scored["label"], "confidence": scored["confidence"], "source": source})


def answered_keys(out: Path) -> set[tuple[str, str, str]]:
    if not out.exists() or out.stat().st_size == 0:
        return set()
    done = read_csv_table(out)
    return set(zip(done["document"], done["start"], done["end"], strict=True))


def session(todo: pd.DataFrame, out: Path, *, read_key: Callable[[], str],
            read_line: Callable[[str], str], show: Callable[[str], None],
            width: int = 80) -> dict:
    """Run the labelling loop; return counts of what happened.  Lines are
    wrapped between words at *width* columns, continuations indented."""
    raw_show = show

    def show(text: str, indent: int = 4) -> None:
        text = terminal_safe(text)
        lead = len(text) - len(text.lstrip(" "))
        raw_show("\n".join(textwrap.wrap(text, width=width, subsequent_indent=" " * (
            lead + indent), break_long_words=False, break_on_hyphens=False)) or "")

    todo = todo.fillna("").astype(str)
    done = answered_keys(out)
    pending = [r for r in todo.to_dict("records")
               if (r["document"], r["start"], r["end"]) not in done]
    counts = {"labelled": 0, "skipped": 0, "undone": 0, "remaining": len(pending)}
    show(f"{len(pending)} of {len(todo)} sentences to label; answers go to {out}")
    for label in LABELS:
        show(f"  {label}: {DEFINITIONS[label]}")
    show(HELP)
    history: list[tuple[int, str]] = []  # (position, "label" or "skip"), for undo
    i = 0
    while i < len(pending):
        row = pending[i]
        note = ""
        show("")
        show(f"[{i + 1}/{len(pending)}] {row['document']} #{row['sentence']}")
        if row.get("prev"):
            show(f"    … {row['prev']}", indent=2)
        show(f"  > {row['text']}", indent=2)
        if row.get("next"):
            show(f"    … {row['next']}", indent=2)
        if row.get("guess"):
            confidence = f" ({float(row['confidence']):.2f})" if row.get("confidence") else ""
            show(f"  model guess: {row['guess']}{confidence}")
        while True:
            key = read_key().strip().lower()[:1]
            if key == "":
                counts["remaining"] = len(pending) - i
                return counts  # end of input: stop like quit
            if key in KEYS:
                _append(out, row, KEYS[key], note)
                history.append((i, "label"))
                counts["labelled"] += 1
                i += 1
                break
            if key == "s":
                history.append((i, "skip"))
                counts["skipped"] += 1
                i += 1
                break
            if key == "u":
                if history:
                    # Undo the last answer: a label leaves the file, a skip is
                    # taken back; either way that sentence comes again.
                    i, what = history.pop()
                    if what == "label":
                        _remove_last(out)
                        counts["labelled"] -= 1
                    else:
                        counts["skipped"] -= 1
                    counts["undone"] += 1
                    show("  undone")
                else:
                    show("  nothing to undo")
                break
            if key == "c":
                note = read_line("  note: ")
                show("  note kept; now the label")
                continue
            if key == "q":
                counts["remaining"] = len(pending) - i
                return counts
            show("  " + HELP)
    counts["remaining"] = 0
    show("all done")
    return counts


def _append(out: Path, row: dict, label: str, note: str) -> None:
    new = not out.exists() or out.stat().st_size == 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(OUT_COLUMNS), extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow({**{c: row.get(c, "") for c in OUT_COLUMNS}, "label": label,
                         "note": note})
        fh.flush()
        os.fsync(fh.fileno())


def _remove_last(out: Path) -> None:
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    with replacing(out, newline="") as fh:
        frame.iloc[:-1].to_csv(fh, index=False)
