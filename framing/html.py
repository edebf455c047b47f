"""Article view: the text as written, every sentence highlighted in its label's
colour, with a legend, the document profile as a bar chart and, on hover or
keyboard focus, the probabilities and evidence.

One self-contained file: inline CSS, inline SVG, no scripts, and a
Content-Security-Policy that forbids every network request.  All text is
escaped, so an article containing ``<script>`` shows it and never runs it.
The palette is Okabe–Ito (colour-blind safe); each sentence also carries a
letter marker and an underline style so the page survives grey printing.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from framing.labels import DEFINITIONS, DOMINANT_MEANS, LABELS
from framing.scoring import profile

STYLE = {  # label: (short class, marker, colour, tint, underline)
    "accusation": ("acc", "A", "#D55E00", "#F8D9C4", "solid"),
    "defence": ("def", "D", "#0072B2", "#CCE3F0", "dashed"),
    "policy_recommendation": ("pol", "P", "#009E73", "#C7EDE2", "double"),
    "neutral_reporting": ("neu", "N", "#6E6E6E", "#EEEEEE", "dotted"),
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def css() -> str:
    rules = [
        "body{font:16px/1.6 Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
        "color:#222}",
        "h1{font:600 1.4rem system-ui,sans-serif} h2{font:600 1.1rem system-ui,sans-serif}",
        ".article{white-space:pre-wrap}",
        ".s{position:relative;border-radius:2px;padding:0 .1em;outline-offset:2px}",
        ".s sup.m{font:700 .65em system-ui,sans-serif;margin-right:.15em}",
        ".tip{display:none;position:absolute;left:0;top:1.6em;z-index:10;"
        "width:min(24rem,80vw);"
        "white-space:normal;background:#fff;border:1px solid #888;padding:.5rem;"
        "font:13px/1.4 system-ui,sans-serif;box-shadow:0 2px 6px #0003}",
        ".s:hover .tip,.s:focus .tip{display:block}",
        ".legend{display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;font:14px system-ui,sans-serif;"
        "margin:1rem 0;padding:.6rem;border:1px solid #ddd}",
        ".legend span{display:inline-block}",
        "table.p{border-collapse:collapse;font:13px system-ui,sans-serif}",
        "table.p td,table.p th{padding:.1em .6em;text-align:left}",
        "table.p th{border-bottom:1px solid #bbb}",
        ".hd{font-weight:600;color:#444} .hd sup.ns{font:italic .65em system-ui,sans-serif;"
        "color:#777;margin-left:.3em}",
        ".note{font:14px system-ui,sans-serif;color:#8a4b00}",
        ".meta{font:14px system-ui,sans-serif;color:#555}",
        "@media print{.tip{display:none!important}}",
    ]
    for cls, _, colour, tint, line in STYLE.values():
        rules.append(f".{cls}{{background:{tint};text-decoration:underline {line} {colour};"
                     f"text-decoration-thickness:2px;text-underline-offset:3px}}")
        rules.append(f".{cls} sup.m{{color:{colour}}}")
    return "\n".join(rules)


def legend() -> str:
    items = []
    for label in LABELS:
        cls, marker, *_ = STYLE[label]
        items.append(f'<span class="legend-item"><span class="s {cls}"><sup class="m">{marker}'
                     f'</sup>{escape(label)}</span> {escape(DEFINITIONS[label])}</span>')
    return f'<div class="legend" role="list" aria-label="Legend">{"".join(items)}</div>'


def profile_chart(prof: pd.Series, width: int = 420) -> str:
    """The document profile as an inline SVG bar chart."""
    bar_h, gap, label_w = 18, 6, 170
    rows = []
    for i, label in enumerate(LABELS):
        _, marker, colour, *_ = STYLE[label]
        share = float(prof[f"share_{label}"])
        y = i * (bar_h + gap)
        w = share * (width - label_w - 70)
        rows.append(
            f'<text x="0" y="{y + 13}" font-size="12">{escape(label)} [{marker}]</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
            f'<title>{escape(label)}: {int(prof[f"n_{label}"])} sentences</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12">'
            f'{int(prof[f"n_{label}"])} ({share:.0%})</text>')
    height = len(LABELS) * (bar_h + gap)
    return (f'<svg class="chart" role="img" aria-label="Profile" width="{width}" '
            f'height="{height}" font-family="system-ui,sans-serif">{"".join(rows)}</svg>')


def _tip(row, i: int) -> str:
    probs = "".join(f"<tr><td>{escape(lab)}</td><td>{getattr(row, f'p_{lab}'):.3f}</td></tr>"
                    for lab in LABELS)
    evidence = getattr(row, "evidence", None) or []
    ev = ", ".join(f"{escape(name)} {weight:+.2f}" for name, weight in evidence) or "—"
    return (f'<span class="tip" role="tooltip" id="tip-{i}"><b>{escape(row.label)}</b> '
            f'({row.confidence:.2f})<table class="p">{probs}</table>evidence: {ev}</span>')


def article_body(scored: pd.DataFrame, text: str | None, start_id: int = 0) -> str:
    """The article with sentence spans; without the source *text*, the sentences
    are joined with spaces."""
    if text is None:
        text = " ".join(scored["text"])
        spans, pos = [], 0
        for sentence in scored["text"]:
            spans.append((pos, pos + len(sentence)))
            pos += len(sentence) + 1
    else:
        spans = list(zip(scored["start"], scored["end"], strict=True))
    out, pos = [], 0
    for i, (row, (start, end)) in enumerate(zip(scored.itertuples(index=False), spans,
                                                strict=True)):
        n = start_id + i
        out.append(escape(text[pos:start]))
        if getattr(row, "kind", "sentence") == "heading":
            out.append(f'<span class="hd" title="heading: not scored">{escape(text[start:end])}'
                       '<sup class="ns">not scored</sup></span>')
            pos = end
            continue
        cls, marker, *_ = STYLE[row.label]
        out.append(f'<span class="s {cls}" tabindex="0" data-label="{row.label}" '
                   f'aria-describedby="tip-{n}"><sup class="m" aria-hidden="true">{marker}'
                   f'</sup>{escape(text[start:end])}{_tip(row, n)}</span>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)}</title><style>{css()}</style></head>"
            f"<body>{body}</body></html>\n")


def article_page(scored: pd.DataFrame, texts: dict[str, str | None] | None = None, *,
                 documents: pd.DataFrame | None = None,
                 meta: dict[str, dict] | None = None) -> str:
    """One page for one or more scored documents (``texts``: doc → source text;
    ``documents``: their profiles, default computed from *scored*; ``meta``:
    doc → metadata shown under its name, e.g. outlet and date)."""
    texts = texts or {}
    meta = meta or {}
    sections = [legend()]
    profiles = documents if documents is not None else profile(scored)
    start_id = 0
    for prof in profiles.to_dict("records"):
        doc = prof["doc"]
        group = scored[scored["doc"] == doc]
        dominant = prof["dominant_act"] or "none"
        headings = int(prof.get("n_headings", 0) or 0)
        extra = f" · {headings} heading{'s' * (headings != 1)} not scored" if headings else ""
        note = f'<p class="note">{escape(prof["note"])}</p>' if prof.get("note") else ""
        about = " · ".join(f"{escape(str(k))}: {escape(str(v))}"
                           for k, v in (meta.get(doc) or {}).items() if v not in (None, ""))
        about = f'<p class="meta">{about}</p>' if about else ""
        sections.append(
            f'<section class="doc"><h1>{escape(str(doc))}</h1>{about}'
            f'<p>{int(prof["n_sentences"])} sentences{extra} · '
            f'<abbr title="{escape(DOMINANT_MEANS)}">dominant act</abbr>: '
            f'{escape(dominant)}</p>{note}'
            f"{profile_chart(pd.Series(prof))}"
            f'<div class="article">{article_body(group, texts.get(doc), start_id)}</div>'
            f"</section>")
        start_id += len(group)
    title = str(scored["doc"].iloc[0]) if len(scored) else "framing"
    return page(f"framing: {title}", "".join(sections))
