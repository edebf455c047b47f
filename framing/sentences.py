"""Split text into sentence spans with NLTK Punkt, offline.

Punkt normally learns its parameters from a corpus shipped as an NLTK data
package; those packages are not installed on users' machines and
NLTK's downloader is not allowed, so the parameters are set by hand from
``framing/data/punkt.toml``.  Every sentence is returned as a character span
with ``text[start:end] == sentence.text``.

On top of Punkt:

* a line break always ends a sentence (paragraphs in news text are lines;
  ``framing.intake`` has joined the soft breaks of wrapped text already);
* a heading is judged conservatively (``_looks_like_heading``): a short line
  with no final punctuation that does not read as a sentence and is
  followed by more text, or a line marked as one (``<h2>``, Markdown ``#``);
  flagged ``heading=True`` even when Punkt cuts it in two ("Do Controls
  Work? The Evidence So Far");
* a bare list marker ("1.", "•") stays with its item, and a piece without a
  letter or digit ("accountable!!!" → "!") with the sentence before it;
* quotation state: ``quoted`` when most of the sentence lies inside double
  quotation marks, ``attributed`` when that quotation is attributed to a
  speaker by a reporting verb in any sentence it spans ("…,” Patel said.),
  for every sentence that carries part of such a quotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from framing.lexicon import cues, load_toml, tokenize

MAX_HEADING_WORDS = 20
# Full stops of Chinese/Japanese and Urdu text: Punkt knows none of them.
_WIDE_STOP = re.compile(r"[。！？۔]")
_WIDE_SENTENCE = re.compile(r"[^。！？۔]*[。！？۔]+[」』”’）)]*|[^。！？۔]+$")
_HAS_WORD = re.compile(r"\w")
# A list marker: a bullet or dash, or a number, letter or small Roman numeral
# ("iv.") with "." or ")".
_MARKER = r"(?:[-*•·▪◦●‣–—]|\(?\d{1,3}[.)]|\(?(?:[a-zA-Z]|ii|iii|iv|vi|vii|viii|ix|xi|xii)[.)])"
_MARKER_ONLY = re.compile(rf"^{_MARKER}$")
_LIST_ITEM = re.compile(rf"^{_MARKER}\s")
# Lower-case modals, auxiliaries and reporting verbs: a line holding one is
# a sentence ("The minister must resign"), not a headline -- unless it opens
# with a question word and has no question mark ("What Rome must do", "Why
# we are striking"): a section heading's usual form.
_WH_HEADING = re.compile(r"(?:What|Why|How|Where|When|Who|Which)\b")
_FINITE = frozenset([
    "must", "should", "shall", "will", "would", "can", "could", "may", "might", "is", "are",
    "was", "were", "has", "have", "had", "does", "did", "said", "says", "do", "am", "won't",
    "can't", "isn't", "aren't", "wasn't", "don't", "doesn't"])
_FINAL_PUNCT = re.compile(r"[.?!:;…][\s\"'”’)\]]*$")
_INNER_STOP = re.compile(r"[.?!].")  # ".", "?" or "!" with more after it
_PERCENT = re.compile(r"\d[\d,.]*%$")
_LETTERS = re.compile(r"[^\W\d_]+")
_CLOSING = " \t\"'”’)]"  # what _FINAL_PUNCT allows after the punctuation
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_LINE = re.compile(r"[^\n]+")
# Sentence-final punctuation (and closing quotes/brackets) before a space.
# Groups 2 and 3: the first two characters after the break and its spaces.
_CANDIDATE = re.compile(r"([.?!])[\"'”’)\]]*(?=\s|$)(?=\s*(\S?)(.?))")
# Final punctuation followed by what Punkt treats specially.
# (Written with one leading class: a search of a whole text is three times faster.)
_ODD_PUNCT = re.compile(r"[.?!…](?:[.?!…;:@*(\[{}“‘]|(?<=[.?!])[\"'”’)\]]+[^\s\"'”’)\]])")
# A number before a period ("in 2019."): Punkt keeps the break unless a
# lower-case word follows, which the lower-case merge below undoes anyway.
_NUMBER_TOKEN = re.compile(r"^\(?\d[\d,]*$")
# A token ending in an ordinary word of two or more letters (not an initial,
# a number, a dotted acronym or a word with inner punctuation).
_ORDINARY_WORD = re.compile(r"(?:^|[^\w.\-'’])[^\W\d_]{2,}$")
_OPEN = "“«"
_CLOSE = "”»"
_QUOTE_MARKS = '"“”«»'
_QUOTE_MARK = re.compile(f"[{_QUOTE_MARKS}]")
# The commonest reporting verbs: a sentence outside quotation marks that has
# one ends a quotation left open (checked only inside an open quotation).
_REPORTING = re.compile(r"\b(?:said|says|told|tells|according to|added|stated|insisted|argued|"
                        r"claimed|warned|wrote|asked|replied|responded|announced)\b")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    heading: bool = False
    quoted: bool = False
    attributed: bool = False


@cache
def _tokenizer():
    """Punkt with the project's parameters; also treats any dotted acronym
    ("A.Q.", "U.A.E.") as an abbreviation, so only a following sentence
    starter ends the sentence.  Made (and NLTK imported, a tenth of a
    second) the first time a line needs Punkt's judgement."""
    from nltk.tokenize.punkt import (
        _ORTHO_BEG_UC,
        _ORTHO_MID_LC,
        PunktParameters,
        PunktSentenceTokenizer,
    )

    class Tokenizer(PunktSentenceTokenizer):
        def _first_pass_annotation(self, aug_tok):  # noqa: ANN001 - NLTK's signature
            super()._first_pass_annotation(aug_tok)
            if aug_tok.sentbreak and _DOTTED_ACRONYM.match(aug_tok.tok):
                aug_tok.sentbreak = False
                aug_tok.abbr = True

    data = load_toml("punkt")
    params = PunktParameters()
    params.abbrev_types = set(data["abbreviations"])
    params.sent_starters = set(data["sentence_starters"])
    for word in data["sentence_starters"]:
        # "seen capitalised at sentence starts, lower-case mid-sentence":
        # Punkt's orthographic heuristic then treats it as a sentence starter.
        params.ortho_context[word] = _ORTHO_BEG_UC | _ORTHO_MID_LC
    return Tokenizer(params)


def split_sentences(text: str, *, headings: Iterable[tuple[int, int]] = (),
                    items: Iterable[tuple[int, int]] = ()) -> list[Sentence]:
    """Return every sentence and heading of *text* as spans, in order."""
    return [Sentence(s, e, text[s:e], p, h, q, a)
            for s, e, p, h, q, a in split_spans(text, headings=headings, items=items)]


def split_spans(text: str, *, headings: Iterable[tuple[int, int]] = (),
                items: Iterable[tuple[int, int]] = ()
                ) -> list[tuple[int, int, int, bool, bool, bool]]:
    """``split_sentences`` as plain tuples (start, end, paragraph, heading,
    quoted, attributed): what the scoring hot path needs, without objects.

    *headings*: spans of lines that are headings by markup (``<h2>``,
    Markdown ``#``), whatever their wording; *items*: spans of lines that
    are list items by markup (``<li>``), never headings (``framing.intake``)."""
    raw: list[tuple[int, int, int, bool]] = []
    marked = None
    if headings or items:
        marked = {start: False for start, _ in items}
        marked.update((start, True) for start, _ in headings)
    # Odd punctuation never spans a line break: one search of the whole text
    # spares most lines their own.
    odd = _ODD_PUNCT.search(text) is not None
    wide_stops = "。" in text or "۔" in text or "！" in text or "？" in text
    for paragraph, line in enumerate(_LINE.finditer(text)):
        offset = line.start()
        chunk = line.group()
        if wide_stops and _WIDE_STOP.search(chunk):
            spans = [m.span() for m in _WIDE_SENTENCE.finditer(chunk) if m.group().strip()]
        else:
            spans = None if odd and _ODD_PUNCT.search(chunk) else _easy_spans(chunk)
        if spans is None:
            # Punkt splits 'no.” Then' but not 'no." Then'; give it curly quotes
            # (same length, so the offsets hold).
            spans = list(_tokenizer().span_tokenize(chunk.replace('"', "”")))
        if "…" in chunk:
            spans = _split_after_ellipses(chunk, spans)
        forced = [kind for m, kind in marked.items() if offset <= m < line.end()] \
            if marked else None
        if forced:
            heading = forced[-1]
        elif not _HAS_WORD.search(chunk):
            # A line without a letter or digit (a Markdown table rule, a code
            # fence, "* * *") is layout: shown and counted as a heading, not scored.
            heading = True
        else:
            # A heading is followed by text: a last or only line never is one.
            heading = chunk[-1] not in ".?!" and \
                _looks_like_heading(chunk, several=len(spans) > 1) and \
                not text[line.end():].isspace() and line.end() < len(text)
        pending = -1  # start of a bare list marker ("1.", "•") waiting for its item
        for s, e in spans:
            piece = chunk[s:e]
            # Punkt can keep surrounding whitespace in a span; spans hold text only.
            if not piece or piece[0].isspace() or piece[-1].isspace():
                s += len(piece) - len(piece.lstrip())
                e -= len(piece) - len(piece.rstrip())
                if e <= s:
                    continue
                piece = chunk[s:e]
            if pending >= 0:  # "1. Restore funding.": the number belongs to its item
                raw.append((offset + pending, offset + e, paragraph, heading))
                pending = -1
                continue
            if e - s < 5 and _MARKER_ONLY.match(piece):
                pending = s
                continue
            # Punkt always breaks after "?" and "!", even in "…want?” he said.":
            # a piece that starts in lower case continues the sentence before it;
            # so does one without a letter or digit ("accountable!!!" → "!").
            if raw and raw[-1][2] == paragraph and (piece[0].islower() or (
                    not piece[0].isalnum() and not _HAS_WORD.search(piece))):
                raw[-1] = (raw[-1][0], offset + e, paragraph, heading)
            else:
                raw.append((offset + s, offset + e, paragraph, heading))
        if pending >= 0:  # a line that is only a marker
            raw.append((offset + pending, offset + len(chunk.rstrip()), paragraph, heading))
    quoted, attributed = _quotation_state(text, raw)
    return [(s, e, p, h, q, a) for (s, e, p, h), q, a in zip(raw, quoted, attributed,
                                                               strict=True)]


# "…" before a capitalised word ends a sentence, as "..." does for Punkt
# (which knows only "." "?" "!"): "welcomed the move… The council must act."
_ELLIPSIS_END = re.compile(r"…[\"'”’)\]]*(?=\s+[\"“‘']?[A-Z])")


def _split_after_ellipses(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for start, end in spans:
        for match in _ELLIPSIS_END.finditer(line, start, end):
            out.append((start, match.end()))
            start = match.end()  # the caller trims the white space after it
        out.append((start, end))
    return out


def _easy_spans(line: str) -> list[tuple[int, int]] | None:
    """Sentence spans of *line* when every possible break is one whose outcome
    Punkt fixes with our parameters, else None (and Punkt decides).  The
    caller has checked that *line* holds no odd punctuation (ellipses, "?!",
    "end.(" ...: Punkt's call).

    * after "?" or "!", or a full stop after an ordinary word, a closing
      bracket or quotation mark, a percentage: always a break;
    * after a known abbreviation or a dotted acronym ("U.S."): a break only
      when the next word is a capitalised sentence starter.

    Punkt costs ~60 µs a sentence; most lines need none of its judgement.
    ``tests/test_sentences.py`` checks that this agrees with Punkt.
    """
    spans = []
    start = 0
    abbreviations, starters = _abbreviations(), _starters()
    for match in _CANDIDATE.finditer(line):
        # The first two characters after the break and its spaces.
        first, second = match.group(2, 3)
        if first and not (first.isalnum() or (first in "“‘\"" and second.isalnum())):
            return None  # Punkt moves leading punctuation between sentences
        if match.group(1) == ".":
            token = line[line.rfind(" ", 0, match.start()) + 1 : match.start()]
            core = token.lstrip("([{")  # Punkt makes an opening bracket a token of its own
            lower = core.lower()
            if core.isalpha() and len(core) > 1 and lower not in abbreviations:
                pass  # an ordinary word: a break (the common case, decided here)
            elif core and (_DOTTED_ACRONYM.match(core + ".") or len(core) > 1 and (
                    lower in abbreviations or lower.rsplit("-", 1)[-1] in abbreviations)):
                if not first:
                    break  # "… at 7 p.m." ends the line, and so the sentence
                if match.group() != ".":
                    return None  # 'the U.S.” Then': Punkt's call
                following = line[match.end():].split(None, 1)[0]
                if _INNER_STOP.search(following):
                    return None  # 'Dr. Khan.” Then', 'Dr. UN.,': Punkt breaks after "Dr." too
                if following[0].isdigit():
                    continue  # "Sept. 1, ...", "the U.S. 5th Fleet": no break
                # Punkt breaks only before a capitalised sentence starter; its
                # word starts with these letters and ends at punctuation, and
                # every starter is a plain word.
                head = following if following.isalpha() else _LETTERS.match(following)
                if head is None:
                    return None
                head = head if isinstance(head, str) else head.group()
                if not (head[0].isupper() and head.lower() in starters):
                    continue  # "Dr. Khan", "the U.N. Secretary-General": no break
                if head != following:
                    return None  # "Mr. The," : Punkt's call
            elif not (_ORDINARY_WORD.search(token) or _NUMBER_TOKEN.match(token)
                      or _always_breaks(core, abbreviations)):
                return None  # initials ("E. coli"), "Zambia's.": Punkt's call
        if not first:
            break
        spans.append((start, match.end(0)))
        start = match.end(0) + 1
    if line[start:].strip():
        spans.append((start, len(line)))
    return spans


def _always_breaks(token: str, abbreviations: frozenset[str]) -> bool:
    """Whether Punkt always ends a sentence at a full stop after *token*:

    * letters and digits, maybe hyphenated ("re-registration", "1990s",
      "COVID-19"), not a number, not an initial, and no abbreviation, whole
      or after its last hyphen ("ex-Gen");
    * a closing bracket ("(CFE)."): the full stop is a token of its own;
    * a closing quotation mark ('points”.'): the word's type keeps the mark,
      so it is no abbreviation, initial or number;
    * a percentage ("64%.").
    """
    if token.endswith((")", "]", "”", "’", '"')):
        return True
    if _PERCENT.match(token):
        return True
    parts = token.lower().split("-")
    return (len(token) > 1 and all(p.isalnum() for p in parts)
            and not token.replace("-", "").isdigit()
            and parts[-1] not in abbreviations and token.lower() not in abbreviations)


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(load_toml("punkt")["abbreviations"])


@cache
def _starters() -> frozenset[str]:
    return frozenset(load_toml("punkt")["sentence_starters"])


def _looks_like_heading(line: str, several: bool = False) -> bool:
    """A title or section heading, judged conservatively (the caller has
    checked that a line follows it: a last or only line is never one).

    No final punctuation, at most ``MAX_HEADING_WORDS`` words, and nothing
    that reads as a sentence: no list marker, no closing emoji, hashtag,
    mention or link (social posts), no lower-case modal, auxiliary or
    reporting verb ("The city must fire him now").  A line Punkt cuts in
    several pieces must also be mostly title case ("Do Controls Work? The
    Evidence So Far"), so that prose whose last piece merely lacks a full
    stop stays prose."""
    stripped = line.strip()
    bare = stripped.rstrip(_CLOSING)
    if bare[-1:].isspace():  # other white space among the closers: the slow way
        if _FINAL_PUNCT.search(stripped):
            return False
    elif bare and bare[-1] in ".?!:;…。！？۔":
        return False
    words = stripped.split()
    if not words or len(words) > MAX_HEADING_WORDS or _LIST_ITEM.match(stripped):
        return False
    tail = words[-1]
    if tail[0] in "#@" or tail.startswith("http") or not _HAS_WORD.search(tail[-1]) and \
            not tail[-1].isspace() and tail[-1] not in _CLOSING + "-–—*":
        return False  # "… now 👉 #ResignNow"
    if not _FINITE.isdisjoint(words) and not _WH_HEADING.match(stripped):
        return False
    if not several:
        return True
    long_words = [w for w in words if len(w) > 3] or words
    return sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6


def _quotation_state(
    text: str, spans: list[tuple[int, int, int, bool]]
) -> tuple[list[bool], list[bool]]:
    """Mark sentences inside quotations and whether the quotation is attributed.

    A quotation is a run of text between an opening and a closing double
    quote; straight quotes toggle.  A quotation left open at the end of a
    paragraph continues into the next paragraph only when that one opens with
    a quote (the newspaper convention for multi-paragraph quotes); one left
    open within a paragraph ends at the next sentence that attributes speech
    outside quotation marks.
    """
    n = len(spans)
    if not any(mark in text for mark in _QUOTE_MARKS):
        return [False] * n, [False] * n  # no quotation at all: the common case
    lexicon = cues()
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
        sentence = text[start:end]
        marks = list(_QUOTE_MARK.finditer(sentence))
        if not marks:
            # The common case: no quotation mark, the state carries through,
            # unless the sentence attributes speech itself: a quotation left
            # open ('He called it "a disgrace. Officials said …') ends there.
            if current >= 0:
                if _REPORTING.search(sentence):
                    current = -1
                    continue
                quoted[i] = True
                touches.setdefault(current, []).append(i)
            continue
        inside = visible = 0
        outside = []
        seen = set()
        position = 0
        for mark in marks:
            piece = sentence[position:mark.start()]
            size = _visible(piece)
            visible += size
            if current >= 0:
                inside += size
                if size:
                    seen.add(current)
            else:
                outside.append(piece)
            ch = mark.group()
            if current < 0 and (ch in _OPEN or ch == '"'):
                current = carried if (carried >= 0 and visible == 0) else next_id
                if current == next_id:
                    next_id += 1
                carried = -1
                seen.add(current)
            elif current >= 0 and (ch in _CLOSE or ch == '"'):
                seen.add(current)
                current = -1
            position = mark.end()
        piece = sentence[position:]
        size = _visible(piece)
        visible += size
        if current >= 0:
            inside += size
        else:
            outside.append(piece)
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
    attributed = [False] * n
    for q in attributed_quotes:
        for j in touches[q]:
            attributed[j] = True
    return quoted, attributed


def _visible(piece: str) -> int:
    return len(piece) - sum(piece.count(c) for c in " \t")
