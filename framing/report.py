"""Corpus report from a ``framing batch`` output: label shares per group as
stacked bars, shares over time as lines (when there is a date column), the
documents with the highest share of each act and the most confident example
sentences per label, each linking to its article view.

Charts are drawn with matplotlib (Agg, no network) and inlined as SVG; the
same charts are written as PNG files for slides, and the article views as
self-contained pages, into ``<report>_files/`` beside the report.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

import pandas as pd

from framing.errors import InputError
from framing.html import STYLE, article_page, legend, page
from framing.labels import ACTS, LABELS
from framing.summary import require_output, summarize, unscored


def _figure(kind: str, table: pd.DataFrame, x: str, title: str):
    try:
        import matplotlib
    except ImportError:
        raise InputError("framing report draws its charts with matplotlib: "
                         "pip install 'framing[report]'") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(8, max(2.8, 0.45 * len(table) + 1.8)) if kind == "bar"
                           else (8, 4))
    shares = table[[f"share_{lab}" for lab in LABELS]].fillna(0).to_numpy() * 100
    names = table[x].astype(str).tolist()
    if kind == "bar":
        left = [0.0] * len(table)
        for j, label in enumerate(LABELS):
            _, marker, colour, _, _ = STYLE[label]
            ax.barh(names, shares[:, j], left=left, color=colour, label=f"{label} [{marker}]",
                    edgecolor="white", hatch={"acc": "", "def": "//", "pol": "..",
                                              "neu": ""}[STYLE[label][0]])
            left = [a + b for a, b in zip(left, shares[:, j], strict=True)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of sentences (%)")
        ax.invert_yaxis()
    else:
        for j, label in enumerate(ACTS):
            _, marker, colour, _, _ = STYLE[label]
            ax.plot(names, shares[:, LABELS.index(label)], marker="os^"[j], color=colour,
                    label=f"{label} [{marker}]")
        ax.set_ylabel("share of sentences (%)")
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(title)
    # The legend in a strip of its own at the bottom of the figure: the axes
    # (tick labels, axis label) are laid out above it and never overlap it.
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=4,
               frameon=False)
    fig.tight_layout(rect=(0, 0.32 / fig.get_figheight(), 1, 1))
    return fig, plt


def _save(fig, plt, png: Path) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    fig.savefig(png, format="png", dpi=150)
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", value)[:80] or "doc"


def report(out: str | Path, target: str | Path, by: Iterable[str] = (), *,
           date_column: str | None = None, top: int = 5, title: str | None = None) -> Path:
    """Write the report HTML to *target* (and its files beside it); return its
    path.  *title* names the corpus (default: the folder *out*)."""
    out, target = Path(out), Path(target)
    for name in ("documents.parquet", "sentences.parquet"):
        require_output(out, name)
    documents = pd.read_parquet(out / "documents.parquet")
    # The tables first: a bad --by or --date-column fails before any file is made.
    tables = {key: summarize(out, [key] if key else [], date_column=date_column)
              for key in (list(by) or [None])} if not documents.empty else {}
    files = target.with_name(f"{target.stem}_files")
    files.mkdir(parents=True, exist_ok=True)
    title = str(out) if title is None else title
    skipped = unscored(out)
    not_scored = (f" {skipped:,} more {'was' if skipped == 1 else 'were'} not scored "
                  "(see errors.csv in the batch folder for why)." if skipped else "")
    sections = [f"<h1>framing corpus report: {escape(title)}</h1>",
                f"<p>{len(documents):,} documents, {int(documents['n_sentences'].sum()):,} "
                f"sentences.{not_scored}</p>", legend()]
    charts = 0
    if documents.empty:
        sections.append("<p>No document of this run was scored: there is nothing to chart "
                        "(see errors.csv).</p>")
    for key, table in tables.items():
        x = key or "all"
        heading = f"Label shares by {x}" if key else "Label shares, all documents"
        fig, plt = _figure("bar", table, x, heading)
        charts += 1
        svg = _save(fig, plt, files / f"shares_by_{_slug(x)}.png")
        sections.append(f'<h2>{escape(heading)}</h2><figure class="chart">{svg}</figure>')
    dated = date_column or next((c for c in ("date", "published", "published_at", "datetime",
                                             "timestamp") if c in documents.columns), None)
    if dated and dated in documents.columns and not documents.empty:
        try:
            table = summarize(out, ["month"], date_column=dated).dropna(subset=["month"])
        except InputError:  # a date column without a date: no chart over time
            table = pd.DataFrame()
        if len(table) >= 2:
            fig, plt = _figure("line", table, "month", "Acts over time (by month)")
            svg = _save(fig, plt, files / "acts_by_month.png")
            charts += 1
            sections.append(f'<h2>Acts over time</h2><figure class="chart">{svg}</figure>')
    # Only the columns that choose examples are read for the whole corpus; the
    # text is read for the few sentences and linked documents shown, so the
    # report stays within memory for corpora of millions of sentences.
    sentences_path = out / "sentences.parquet"
    scores = pd.read_parquet(sentences_path, columns=["id", "sentence", "label", "confidence"])
    linked: dict[str, str] = {}

    profile_columns = {"id", "n_sentences", "n_headings", "dominant_act", "mean_confidence", *(
        f"{p}_{lab}" for p in ("n", "share") for lab in LABELS)}
    by_id = documents.drop_duplicates("id").set_index("id")

    def link(doc_id: str) -> str:
        if doc_id not in linked:
            name = f"article_{len(linked):04d}_{_slug(doc_id)}.html"
            rows = pd.read_parquet(sentences_path, filters=[("id", "==", doc_id)])
            rows = rows.sort_values("sentence").rename(columns={"id": "doc"})
            info = by_id.loc[doc_id].to_dict() if doc_id in by_id.index else {}
            meta = {k: v for k, v in info.items() if k not in profile_columns and k != "path"}
            # A document read from a .txt file is shown as written, paragraphs
            # and all (the offsets count in the file as Python reads it).
            source = None
            path = info.get("path")
            if isinstance(path, str) and Path(path).is_file():
                try:
                    source = Path(path).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    source = None
            page_html = article_page(rows, {doc_id: source}, meta={doc_id: meta})
            (files / name).write_text(page_html, encoding="utf-8")
            linked[doc_id] = f"{files.name}/{name}"
        return linked[doc_id]

    for act in ACTS:
        column = f"share_{act}"
        best = documents[documents[f"n_{act}"] > 0].nlargest(top, column)
        rows = "".join(
            f'<tr><td><a href="{escape(link(r.id))}">{escape(str(r.id))}</a></td>'
            f"<td>{getattr(r, column):.0%}</td><td>{r.n_sentences}</td></tr>"
            for r in best.itertuples())
        sections.append(f"<h2>Documents with the highest share of {escape(act)}</h2>"
                        f'<table class="p"><tr><th>document</th><th>share</th>'
                        f"<th>sentences</th></tr>{rows or '<tr><td>none</td></tr>'}</table>")
    for label in LABELS:
        cls, marker, *_ = STYLE[label]
        # Candidates beyond the top few: a syndicated sentence printed by many
        # outlets is shown once.
        best = scores[scores["label"] == label].nlargest(top * 5, "confidence")
        if len(best):
            wanted = list(zip(best["id"], best["sentence"], strict=True))
            texts = pd.read_parquet(sentences_path, columns=["id", "sentence", "text"],
                                    filters=[("id", "in", sorted(set(best["id"])))])
            texts = texts.set_index(["id", "sentence"])["text"]
            best = best.assign(text=[texts.loc[key] for key in wanted])
            seen = best["text"].map(lambda t: " ".join(str(t).lower().split()))
            best = best[~seen.duplicated()].head(top)
        items = "".join(
            f'<li><span class="s {cls}"><sup class="m">{marker}</sup>{escape(r.text)}</span> '
            f'<small>({r.confidence:.2f}, <a href="{escape(link(r.id))}">{escape(str(r.id))}'
            f"</a>)</small></li>" for r in best.itertuples())
        sections.append(f"<h2>Most confident {escape(label)} sentences</h2>"
                        f"<ul>{items or '<li>none</li>'}</ul>")
    target.write_text(page(f"framing report: {title}", "".join(sections)), encoding="utf-8")
    return target


def report_archive(items: list[tuple[str, str]], model=None, *, title: str = "documents",
                   metadata: list[dict] | None = None) -> bytes:
    """The corpus report of ``(id, text)`` documents as a ZIP archive
    (``framing-report/report.html`` and its ``report_files/``): the documents
    go through ``framing batch`` (one process) and ``report`` in a temporary
    folder.  *metadata*: extra columns per document (outlet, date ...), which
    the report groups by when there is an ``outlet`` and charts over time
    when there is a ``date``."""
    import json
    import tempfile
    import zipfile

    from framing.batchrun import batch
    from framing.corpus import BatchOptions

    with tempfile.TemporaryDirectory(prefix="framing-report-") as tmp:
        folder = Path(tmp)
        source = folder / "documents.jsonl"
        extra = metadata or [{} for _ in items]
        with open(source, "w", encoding="utf-8") as fh:
            for (doc, text), more in zip(items, extra, strict=True):
                fh.write(json.dumps({**more, "id": doc, "text": text}, ensure_ascii=False)
                         + "\n")
        batch([source], folder / "out", BatchOptions(id_column="id", any_language=True),
              model_path=model)
        columns = set().union(*map(set, extra))
        target = report(folder / "out", folder / "framing-report" / "report.html",
                        by=["outlet"] if "outlet" in columns else [], title=title)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.parent.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
        return buffer.getvalue()
