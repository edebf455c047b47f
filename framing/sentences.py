"""Split text into sentence spans with NLTK Punkt, offline.

Punkt normally learns its parameters from a corpus shipped as an NLTK data
package; those packages are not installed on users' machines and
``nltk.download()`` is not allowed, so the parameters are set by hand from
``framing/data/punkt.toml``.  Every sentence is returned as a character span
with ``text[start:end] == sentence.text``.

On top of Punkt:

* a line break always ends a sentence (paragraphs in news text are lines);
* a one-sentence line with no final punctuation and at most
  ``MAX_HEADING_WORDS`` words is a heading (title, section heading, bullet
  strap-line) and is flagged ``heading=True``;
* quotation state: ``quoted`` when most of the sentence lies inside double
  quotation marks, ``attributed`` when that quotation is attributed to a
  speaker by a reporting verb in any sentence it spans ("…,” Patel said.),
  for every sentence that carries part of such a quotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nltk.tokenize.punkt import (
    _ORTHO_BEG_UC,
    _ORTHO_MID_LC,
    PunktParameters,
    PunktSentenceTokenizer,
)

from framing.lexicon import cues, load_toml, tokenize

MAX_HEADING_WORDS = 20
_FINAL_PUNCT = re.compile(r"[.?!:;…][\s\"'”’)\]]*$")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_LINE = re.compile(r"[^\n]+")
_OPEN = "“«"
_CLOSE = "”»"


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    heading: bool = False
    quoted: bool = False
    attributed: bool = False


class _Tokenizer(PunktSentenceTokenizer):
    """Punkt that also treats any dotted acronym ("A.Q.", "U.A.E.") as an
    abbreviation, so only a following sentence starter ends the sentence."""

    def _first_pass_annotation(self, aug_tok):  # noqa: ANN001 - NLTK's signature
        super()._first_pass_annotation(aug_tok)
        if aug_tok.sentbreak and _DOTTED_ACRONYM.match(aug_tok.tok):
            aug_tok.sentbreak = False
            aug_tok.abbr = True


@cache
def _tokenizer() -> PunktSentenceTokenizer:
    data = load_toml("punkt")
    params = PunktParameters()
    params.abbrev_types = set(data["abbreviations"])
    params.sent_starters = set(data["sentence_starters"])
    for word in data["sentence_starters"]:
        # "seen capitalised at sentence starts, lower-case mid-sentence":
        # Punkt's orthographic heuristic then treats it as a sentence starter.
        params.ortho_context[word] = _ORTHO_BEG_UC | _ORTHO_MID_LC
    return _Tokenizer(params)


def split_sentences(text: str) -> list[Sentence]:
    """Return every sentence and heading of *text* as spans, in order."""
    tokenizer = _tokenizer()
    raw: list[tuple[int, int, int, bool]] = []
    for paragraph, line in enumerate(_LINE.finditer(text)):
        offset = line.start()
        spans = list(tokenizer.span_tokenize(line.group()))
        for s, e in spans:
            piece = line.group()[s:e]
            heading = len(spans) == 1 and _looks_like_heading(piece)
            raw.append((offset + s, offset + e, paragraph, heading))
    quoted, attributed = _quotation_state(text, raw)
    return [
        Sentence(s, e, text[s:e], p, h, q, a)
        for (s, e, p, h), q, a in zip(raw, quoted, attributed, strict=True)
    ]


def _looks_like_heading(piece: str) -> bool:
    stripped = piece.strip()
    if _FINAL_PUNCT.search(stripped):
        return False
    return len(stripped.split()) <= MAX_HEADING_WORDS


def _quotation_state(
    text: str, spans: list[tuple[int, int, int, bool]]
) -> tuple[list[bool], list[bool]]:
    """Mark sentences inside quotations and whether the quotation is attributed.

    A quotation is a run of text between an opening and a closing double
    quote; straight quotes toggle.  A quotation left open at the end of a
    paragraph continues into the next paragraph when that one opens with a
    quote (the newspaper convention for multi-paragraph quotes).
    """
    lexicon = cues()
    n = len(spans)
    touches: dict[int, list[int]] = {}  # quotation -> sentences it touches
    outside_text = [""] * n      # sentence text outside quotation marks
    quoted = [False] * n
    current = -1                  # open quotation id, or -1
    next_id = 0
    last_paragraph = None
    carried = -1                  # quotation left open at a paragraph end
    for i, (start, end, paragraph, _heading) in enumerate(spans):
        if paragraph != last_paragraph:
            carried, current = (current, -1)
            last_paragraph = paragraph
        inside = 0
        visible = 0
        outside = []
        seen = set()
        for ch in text[start:end]:
            opening = ch in _OPEN or (ch == '"' and current < 0)
            closing = ch in _CLOSE or (ch == '"' and current >= 0)
            if opening and current < 0:
                current = carried if (carried >= 0 and visible == 0) else next_id
                if current == next_id:
                    next_id += 1
                carried = -1
                seen.add(current)
                continue
            if closing and current >= 0:
                seen.add(current)
                current = -1
                continue
            if not ch.isspace():
                visible += 1
                if current >= 0:
                    inside += 1
                    seen.add(current)
            if current < 0:
                outside.append(ch)
        outside_text[i] = "".join(outside)
        for q in seen:
            touches.setdefault(q, []).append(i)
        if visible and inside / visible >= 0.5:
            quoted[i] = True
    attributed_quotes = {
        q for q, members in touches.items()
        if any(lexicon.has("attribution", tokenize(outside_text[j].lower())) for j in members)
    }
    # A sentence that carries part of an attributed quotation is reported
    # speech even when the quoted part is the smaller one ("…,” he said.).
    attributed = [
        any(q in attributed_quotes for q, members in touches.items() if i in members)
        for i in range(n)
    ]
    return quoted, attributed
