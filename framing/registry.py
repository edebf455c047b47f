"""Which model is used, model versions, and safe sharing.

**The rule** (every command and the Python API): the model is

1. ``--model`` (a path, ``current``, ``installed``, or a name that
   ``framing models`` lists), else
2. the ``FRAMING_MODEL`` environment variable (the same kinds of value), else
3. ``framing.joblib`` in your model folder, which ``framing train`` writes
   (``FRAMING_HOME/models``, by default the platform's user data folder, e.g.
   ``~/.local/share/framing/models``) when you have trained one, else
4. the model installed with framing.

``framing train`` keeps the previous model: it moves ``framing.joblib`` (and
its card) to ``versions/framing-<trained_at>.joblib`` before writing the new
one.  ``framing models`` lists your models, their versions and the
installed model, and marks the one the rule picks.

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
from typing import TYPE_CHECKING

from framing.errors import ModelError

if TYPE_CHECKING:
    import pandas as pd

VERSIONS = "versions"
ENV_MODEL = "FRAMING_MODEL"
ENV_HOME = "FRAMING_HOME"
MODEL_NAME = "framing.joblib"
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


def user_model_dir() -> Path:
    """Your model folder: ``$FRAMING_HOME/models``, or the user data folder's."""
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser() / "models"
    from platformdirs import user_data_path

    return user_data_path("framing", appauthor=False) / "models"


def installed_model_path() -> Path:
    from framing.model import default_model_path

    return default_model_path()


def current_model_path() -> Path:
    """The model the rule picks when no ``--model`` is given (module doc)."""
    wanted = os.environ.get(ENV_MODEL, "").strip()
    if wanted and wanted != "current":
        try:
            return resolve(wanted)
        except ModelError as exc:
            raise ModelError(f"{ENV_MODEL}={wanted}: {exc}") from None
    yours = user_model_dir() / MODEL_NAME
    return yours if yours.exists() else installed_model_path()


def list_models(directory: str | Path | None = None) -> pd.DataFrame:
    """Your models and their versions (in *directory*, default your model
    folder), then the installed model: name, whether the rule picks it, date,
    data hash, label counts, held-out macro-F1, path."""
    directory = Path(directory) if directory is not None else user_model_dir()
    current = current_model_path().resolve()
    rows = []
    candidates = [(p.stem, p) for p in sorted(directory.glob("*.joblib"))]
    candidates += [(p.stem, p) for p in sorted((directory / VERSIONS).glob("*.joblib"),
                                               reverse=True)]
    installed = installed_model_path()
    if installed.exists() and installed.resolve() not in {p.resolve() for _, p in candidates}:
        candidates.append(("installed", installed))
    for name, path in candidates:
        card_path = path.with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.exists() else {}
        metrics = card.get("metrics", {})
        rows.append({
            "name": name,
            "current": "*" if path.resolve() == current else "",
            "trained_at": card.get("trained_at", ""),
            "sentences": card.get("n_sentences"),
            "documents": card.get("n_documents"),
            "data_sha256": (card.get("training_data_sha256") or "")[:12],
            "labels": " ".join(f"{k[:3]}={v}" for k, v in card.get("label_counts", {}).items()),
            "macro_f1_real": metrics.get("real_text", {}).get("macro_f1"),
            "macro_f1_topic": metrics.get("by_topic", {}).get("macro_f1"),
            "path": str(path),
        })
    import pandas as pd

    return pd.DataFrame(rows)


def resolve(name: str | None, directory: str | Path | None = None) -> Path:
    """A ``--model`` value: a path, ``current`` (or None: the rule),
    ``installed``, or a unique part of a model or version name in *directory*
    (default: your model folder)."""
    if name is None or name == "current":
        return current_model_path()
    if name == "installed":
        return installed_model_path()
    if not str(name).strip():
        raise ModelError("--model is empty; give a model file, a name `framing models` lists, "
                         "or leave it out for the default")
    path = Path(name).expanduser()
    if path.is_file() or path.suffix in (".joblib", ".skops"):
        return path
    directory = Path(directory) if directory is not None else user_model_dir()
    models = sorted(directory.glob("*.joblib")) + sorted((directory / VERSIONS).glob("*.joblib"))
    exact = [p for p in models if p.stem == name]
    matches = exact or [p for p in models if name in p.stem]
    if len(matches) == 1:
        return matches[0]
    if not matches and path.is_dir():
        raise ModelError(f"{name} is a folder, not a model file; pass --model "
                         f"{path / MODEL_NAME} or a name `framing models` lists")
    if not matches:
        raise ModelError(f"no model called {name!r} in {directory}; `framing models` lists "
                         "them (or pass a path)")
    raise ModelError(f"{name!r} matches {len(matches)} models; give more of the name")


def export_skops(pipeline, card: dict, path: str | Path, *, force: bool = False) -> Path:
    """Write a portable, code-free model file."""
    try:
        import skops.io as sio
    except ImportError:
        raise ModelError("framing export writes skops files: pip install 'framing[share]'") \
            from None

    from framing.files import replacing
    from framing.model import public_card

    path = Path(path)
    if path.exists() and not force:
        raise ModelError(f"{path} exists; pass --force to overwrite it")
    with replacing(path, "wb") as fh:
        fh.write(sio.dumps({"pipeline": pipeline, "card": public_card(card)}))
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
