"""Label in the tool a team already uses: Label Studio, doccano, Prodigy.

``write_tasks`` turns ``framing suggest``'s sentences into tasks each tool
imports; ``read_annotations`` turns what each tool exports back into a
framing label table (``document, sentence, start, end, text, label, note,
source``), so ``framing train`` reads those exports like its own CSV files.
Every task carries the sentence's document, position and source file, and
they come back with the label: the sentence keeps its article around it.

Formats, as the tools document them:

* **Label Studio**: a JSON list of tasks ``{"data": {...}, "predictions":
  [...]}``; the export is the same list with ``"annotations": [{"result":
  [{"type": "choices", "value": {"choices": [label]}}]}]``.  Project config:
  ``LABEL_STUDIO_CONFIG``.
* **doccano** (text classification): JSON Lines ``{"text": ..., "label": []}``
  with the other keys kept as metadata; the export has ``"label": [label]``.
* **Prodigy** (``choice`` interface): JSON Lines ``{"text": ..., "options":
  [{"id", "text"}], "meta": {...}}``; the export adds ``"accept": [label]``
  and ``"answer": "accept"`` (rejected and ignored answers are skipped).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from framing.errors import LabelError
from framing.labels import DEFINITIONS, LABELS

TOOLS = ("label-studio", "doccano", "prodigy")
_KEEP = ("document", "sentence", "start", "end", "source")

LABEL_STUDIO_CONFIG = (
    '<View>\n  <Text name="text" value="$text"/>\n'
    '  <Header value="Previous: $prev"/>\n  <Header value="Next: $next"/>\n'
    '  <Choices name="act" toName="text" choice="single" showInline="false">\n'
    + "".join(f'    <Choice value="{label}" hint="{DEFINITIONS[label]}"/>\n' for label in LABELS)
    + "  </Choices>\n</View>\n")


def write_tasks(table: pd.DataFrame, tool: str) -> str:
    """The sentences of a ``framing suggest`` table as *tool*'s import file."""
    records = table.to_dict("records")

    def meta(row: dict) -> dict:
        return {k: _plain(row.get(k)) for k in _KEEP if k in row}

    if tool == "label-studio":
        tasks = []
        for row in records:
            task = {"data": {"text": row["text"], "prev": row.get("prev", ""),
                             "next": row.get("next", ""), **meta(row)}}
            if row.get("guess"):
                task["predictions"] = [{"model_version": "framing", "result": [
                    {"from_name": "act", "to_name": "text", "type": "choices",
                     "value": {"choices": [row["guess"]]}}]}]
            tasks.append(task)
        return json.dumps(tasks, indent=2, ensure_ascii=False) + "\n"
    if tool == "doccano":
        return "".join(json.dumps({"text": row["text"], "label": [], **meta(row)},
                                  ensure_ascii=False) + "\n" for row in records)
    if tool == "prodigy":
        options = [{"id": label, "text": label} for label in LABELS]
        return "".join(json.dumps({"text": row["text"], "options": options, "meta": meta(row)},
                                  ensure_ascii=False) + "\n" for row in records)
    raise ValueError(f"tool must be one of {', '.join(TOOLS)}, not {tool!r}")


def read_annotations(path: str | Path) -> pd.DataFrame:
    """A Label Studio (JSON), doccano or Prodigy (JSON Lines) export as a
    framing label table; which tool wrote it is read off its fields."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    items = []
    if text.lstrip().startswith("["):  # Label Studio: one JSON list
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LabelError([f"{path}:{exc.lineno}: not JSON ({exc.msg})"]) from None
    else:  # JSON Lines: say which line is broken
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise LabelError([f"{path}:{number}: not JSON ({exc.msg})"]) from None
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise LabelError([f"{path}:{number}: expected a JSON object per task"])
        found = _label_studio(item) if "data" in item else (
            _prodigy(item) if "answer" in item or "accept" in item else _doccano(item))
        if found is None:
            continue  # not labelled (skipped, rejected or cancelled)
        label, fields = found
        text_value = fields.get("text", "")
        rows.append({"document": _str(fields.get("document")) or f"{path.stem}:{number}",
                     "sentence": _str(fields.get("sentence")) or "0",
                     "start": _str(fields.get("start")) or "0",
                     "end": _str(fields.get("end")) or str(len(text_value)),
                     "text": text_value, "label": label, "note": "",
                     "source": _str(fields.get("source"))})
    return pd.DataFrame(rows, columns=["document", "sentence", "start", "end", "text", "label",
                                       "note", "source"])


def _label_studio(item: dict):
    for annotation in item.get("annotations") or []:
        if annotation.get("was_cancelled"):
            continue
        for result in annotation.get("result") or []:
            choices = (result.get("value") or {}).get("choices")
            if choices:
                return choices[0], item["data"]
    return None


def _doccano(item: dict):
    labels = item.get("label", item.get("labels"))
    if isinstance(labels, str):
        labels = [labels]
    return (labels[0], item) if labels else None


def _prodigy(item: dict):
    if item.get("answer", "accept") != "accept":
        return None
    accepted = item.get("accept") or ([item["label"]] if item.get("label") else [])
    return (accepted[0], {**(item.get("meta") or {}), "text": item.get("text", "")}) \
        if accepted else None


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _str(value) -> str:
    return "" if value is None else str(value)
