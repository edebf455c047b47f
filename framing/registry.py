"""Model versions and safe sharing.

``framing train`` keeps the previous model: it moves ``models/framing.joblib``
(and its card) to ``models/versions/framing-<trained_at>.joblib`` before
writing the new one.  ``framing models`` lists them; ``--model NAME`` picks
one by path, by ``current``, or by (a unique part of) its version name.

A joblib (pickle) file runs code when it is loaded, so a model received from
someone else is a risk.  ``export_skops`` writes the skops format, and
``load_skops`` loads it trusting only scikit-learn's types and framing's own;
a file that contains anything else is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from framing.errors import ModelError

VERSIONS = "versions"
# Besides scikit-learn's and NumPy's own types (which skops trusts by default),
# a framing model holds framing's transformers, its analyzer function and frozensets.
TRUSTED_EXTRA = ("builtins.frozenset",)


def _stamp(card: dict | None, path: Path) -> str:
    when = (card or {}).get("trained_at")
    if when:
        return when.replace("-", "").replace(":", "").replace("+0000", "")[:15]
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).strftime("%Y%m%dT%H%M%S")


def archive(path: str | Path) -> Path | None:
    """Move an existing model (and its card) into ``versions/``; return where."""
    path = Path(path)
    if not path.exists():
        return None
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.exists() else None
    target_dir = path.parent / VERSIONS
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"{path.stem}-{_stamp(card, path)}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = target_dir / f"{path.stem}-{_stamp(card, path)}-{n}{path.suffix}"
    os.replace(path, target)
    if card_path.exists():
        os.replace(card_path, target.with_suffix(".json"))
    return target


def list_models(directory: str | Path = "models") -> pd.DataFrame:
    """Current model and archived versions: name, date, data hash, label counts,
    held-out macro-F1."""
    directory = Path(directory)
    rows = []
    candidates = [("current", p) for p in sorted(directory.glob("*.joblib"))]
    candidates += [(p.stem, p) for p in sorted((directory / VERSIONS).glob("*.joblib"),
                                               reverse=True)]
    for name, path in candidates:
        card_path = path.with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.exists() else {}
        metrics = card.get("metrics", {})
        rows.append({
            "name": name if name != "current" or path.stem == "framing" else path.stem,
            "trained_at": card.get("trained_at", ""),
            "sentences": card.get("n_sentences"),
            "documents": card.get("n_documents"),
            "data_sha256": (card.get("training_data_sha256") or "")[:12],
            "labels": " ".join(f"{k[:3]}={v}" for k, v in card.get("label_counts", {}).items()),
            "macro_f1_topic": metrics.get("by_topic", {}).get("macro_f1"),
            "macro_f1_document": metrics.get("by_document", {}).get("macro_f1"),
            "path": str(path),
        })
    return pd.DataFrame(rows)


def resolve(name: str | None, directory: str | Path = "models") -> Path | None:
    """A ``--model`` value: a path, ``current``, or a unique part of a version name."""
    if name is None:
        return None
    if Path(name).exists() or Path(name).suffix in (".joblib", ".skops"):
        return Path(name)
    directory = Path(directory)
    if name == "current":
        return directory / "framing.joblib"
    matches = [p for p in sorted((directory / VERSIONS).glob("*.joblib")) if name in p.stem]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ModelError(f"no model called {name!r}; `framing models` lists them")
    raise ModelError(f"{name!r} matches {len(matches)} models; give more of the name")


def export_skops(pipeline, card: dict, path: str | Path, *, force: bool = False) -> Path:
    """Write a portable, code-free model file."""
    import skops.io as sio

    from framing.model import public_card

    path = Path(path)
    if path.exists() and not force:
        raise ModelError(f"{path} exists; pass --force to overwrite it")
    tmp = path.with_name(f".{path.name}.tmp")
    sio.dump({"pipeline": pipeline, "card": public_card(card)}, tmp)
    os.replace(tmp, path)
    return path


def load_skops(path: str | Path):
    """Load a skops model, trusting only scikit-learn's, NumPy's and framing's types."""
    try:
        import skops.io as sio
    except ImportError:
        raise ModelError("loading .skops models needs skops: pip install 'framing[share]'") \
            from None
    path = Path(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a damaged zip, not a skops file, ...
        raise ModelError(f"{path} is not a readable skops model ({type(exc).__name__})") \
            from None
    foreign = [t for t in untrusted if not (t.startswith("framing.") or t in TRUSTED_EXTRA)]
    if foreign:
        raise ModelError(
            f"{path} contains types framing does not trust ({', '.join(foreign[:5])}); "
            "loading it could run someone else's code, so it was refused")
    try:
        bundle = sio.load(path, trusted=untrusted)
    except Exception as exc:
        raise ModelError(f"{path} could not be loaded ({type(exc).__name__}: {exc})") from None
    return bundle
