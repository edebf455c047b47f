"""Raw input → the text the splitter reads, with a map back to the input.

Real inputs are not clean paragraphs: pasted HTML, hard-wrapped e-mail and
PDF text, a byte-order mark, Windows line ends, bullet lists, Markdown
headings.  ``prepare`` turns any of them into one normalised text for the
splitter and keeps, for every character of it, where it came from, so that
every sentence's ``start``/``end`` point into what the user gave.

Plain text is normalised *in place* (same length, same offsets): a BOM and
carriage returns become spaces and a soft line break of wrapped text
becomes a space, so ``source[start:end]`` is the sentence itself.  HTML is
not: tags go, entities are decoded and block elements become line breaks;
there ``start``/``end`` are the sentence's extent in the markup and the
sentence's text is the clean one.

The documented reading of a file is ``open(path, encoding="utf-8").read()``
(universal newlines: CRLF reads as LF; a BOM stays as U+FEFF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

_CLOSERS = "\"'”’)]»"
_ENDS_SENTENCE = re.compile(rf"[.?!:;…][{re.escape(_CLOSERS)}]*$")
# A list item: a bullet, or a number, letter or small Roman numeral with "." or
# ")" before a space.
# (Not a dash: in wrapped prose a line may well start with "— to see ...".)
LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪◦●‣]|\(?\d{1,3}[.)]"
                       r"|\(?(?:[a-zA-Z]|ii|iii|iv|vi|vii|viii|ix|xi|xii)[.)])\s+")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|html|body|head|span|a|b|i|em|strong|table|tr|td|th|"
    r"blockquote|article|section|header|footer|title|meta|img|hr|figure|figcaption|main|"
    r"nav|aside|pre|dl|dt|dd|u|small|sup|sub|cite|q)\b[^<>]*>", re.IGNORECASE)
_BLOCK = frozenset(re.findall(r"\w+", """p div br li ul ol h1 h2 h3 h4 h5 h6 html body table
    tr td th blockquote article section header footer title hr figure figcaption main nav aside
    pre dl dt dd form fieldset address details summary option select textarea"""))
_HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "title"])
_SKIP = frozenset(["script", "style", "noscript", "template", "svg"])
_FINAL = frozenset(".?!:;…")
_FINAL_OR_EMPTY = _FINAL | {""}
# Lines of wrapped text: at least this long, and this close to the widest line.
_MIN_WRAPPED = 30
# Text with this many characters per line break holds paragraphs, not
# wrapped lines (wrapping is at 100 characters or less); it is left alone,
# a stray break inside a long paragraph too.
_PARAGRAPH_LINE = 110
_WRAP_SHARE = 0.6


@dataclass(slots=True)
class Prepared:
    """What the splitter reads, and how to get back to the input.

    ``starts[i]``/``ends[i]``: the input span of ``text[i]`` (``None`` when
    the offsets are the same).  ``headings``: spans of ``text`` that are
    headings by markup (``<h2>``, Markdown ``#``), whatever their wording;
    ``items``: where list items (``<li>``) start, never headings.
    """

    source: str
    text: str
    html: bool = False
    unwrapped: int = 0  # soft line breaks joined
    starts: list[int] | None = None
    ends: list[int] | None = None
    headings: list[tuple[int, int]] | tuple = ()
    items: list[tuple[int, int]] | tuple = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The input span of ``text[start:end]``."""
        if self.starts is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def sentence_text(self, start: int, end: int) -> str:
        """A sentence's text: the input itself for plain text, clean text for HTML."""
        if self.starts is None:
            return self.source[start:end]
        return self.text[start:end].replace("\n", " ")


def looks_like_html(text: str) -> bool:
    """Two or more known tags, or one block tag with its closing tag."""
    if "<" not in text:
        return False
    tags = _HTML_TAG.findall(text, 0, 200_000)
    return len(tags) >= 2


def prepare(source: str, *, unwrap: bool | None = None, html: bool | None = None) -> Prepared:
    """Normalise *source* for the splitter; see the module doc.

    *unwrap*: join the soft line breaks of hard-wrapped text (None: when the
    text looks wrapped; False: never).  *html*: strip markup (None: when the
    text looks like HTML)."""
    if html or html is None and "<" in source and looks_like_html(source):
        return _from_html(source)
    text = source
    if "\ufeff" in text or "\r" in text:
        # Same length: offsets into the input hold.
        text = text.replace("\ufeff", " ").replace("\r\n", " \n").replace("\r", "\n")
    headings = _markdown_headings(text) if "#" in text else ()
    joined = 0
    if unwrap is not False and "\n" in text:
        text, joined = _unwrap(text, force=bool(unwrap))
    return Prepared(source, text, unwrapped=joined, headings=headings)


def _paragraph_lines(text: str) -> bool:
    """Lines as long as paragraphs: nothing was wrapped.  (Counted per line
    break, blank lines included: counting them apart cost more than all the
    rest of the intake checks.)"""
    return len(text) > _PARAGRAPH_LINE * (text.count("\n") + 1)


def is_plain(text: str, *, unwrap: bool | None = None) -> bool:
    """Whether ``prepare`` would hand *text* to the splitter unchanged, with
    no markup headings (checked in C: the common case costs next to nothing)."""
    return ("<" not in text or not looks_like_html(text)) and "\r" not in text \
        and "\ufeff" not in text and "#" not in text and not unwrap \
        and (unwrap is False or "\n" not in text or _paragraph_lines(text))


def _markdown_headings(text: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for line in text.split("\n"):
        if _MARKDOWN_HEADING.match(line):
            spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans


def _open_ended(line: str) -> bool:
    """A line with text that does not end with final punctuation (quick)."""
    line = line.rstrip()
    return bool(line) and line[-1] not in _FINAL and not (line[-1] in _CLOSERS
                                                          and _ends_sentence(line))


def _ends_sentence(line: str) -> bool:
    """Final punctuation, or a social post's ending (emoji, #tag, @name, link)."""
    line = line.rstrip()
    if _ENDS_SENTENCE.search(line):
        return True
    last = line.rsplit(None, 1)[-1] if line else ""
    return bool(last) and (last[0] in "#@" or last.startswith("http") or
                           not (last[-1].isalnum() or last[-1] in ",-–—(/&'’\""))


def _unwrap(text: str, *, force: bool = False) -> tuple[str, int]:
    """Replace soft line breaks by spaces (same length).

    A break is soft when both lines hold text, the next is no list item or
    Markdown heading, and either the text looks hard-wrapped (most lines
    that end without final punctuation are about as wide as the widest) and
    this line is one of the wide ones, or this line ends without final
    punctuation and the next line starts in lower case (a sentence going
    on: PDF and e-mail text)."""
    if not force and _paragraph_lines(text):
        return text, 0
    lines = text.split("\n")
    if len(lines) < 2:
        return text, 0
    if not force:
        # Either way a soft break needs lines without final punctuation: most
        # texts have none, or only a title line (checked alone, cheaply).
        if {line[-1:] for line in lines} <= _FINAL_OR_EMPTY:
            return text, 0
        open_lines = [i for i, line in enumerate(lines) if _open_ended(line)]
        if not open_lines:
            return text, 0
        if len(open_lines) == 1:
            i = open_lines[0]
            if i + 1 == len(lines) or not lines[i + 1].lstrip()[:1].islower():
                return text, 0
    sizes = [len(line.rstrip()) for line in lines]
    filled = sorted(size for size in sizes if size)
    if not filled:
        return text, 0
    width = filled[int(0.9 * (len(filled) - 1))]
    wide = max(_MIN_WRAPPED, int(_WRAP_SHARE * width))
    breaks = [i for i in range(len(lines) - 1) if sizes[i] and sizes[i + 1]
              and not _MARKDOWN_HEADING.match(lines[i])]
    if not breaks:
        return text, 0
    open_ended = sum(1 for i in breaks if sizes[i] >= wide and not _ends_sentence(lines[i]))
    wrapped = force or (open_ended >= 2 and open_ended >= 0.3 * len(breaks))
    soft = []
    # A document's first line without final punctuation, not followed by a
    # lower-case word, is its title even when it is as wide as wrapped lines.
    first = next(i for i, size in enumerate(sizes) if size)
    for i in breaks:
        following = lines[i + 1]
        if LIST_ITEM.match(following) or _MARKDOWN_HEADING.match(following):
            continue
        going_on = not _ends_sentence(lines[i]) and \
            following.lstrip().lstrip("—–").lstrip()[:1].islower()
        title = i == first and not _ends_sentence(lines[i])
        if going_on or (wrapped and sizes[i] >= wide and not title):
            soft.append(i)
    if not soft:
        return text, 0
    chars = list(text)
    position = 0
    ends = []
    for line in lines:
        position += len(line)
        ends.append(position)
        position += 1
    for i in soft:
        chars[ends[i]] = " "
    return "".join(chars), len(soft)


# --- HTML --------------------------------------------------------------------------------

class _TextOfHTML(HTMLParser):
    """Collects the text of an HTML document, character by character, with
    each character's span in the markup."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        for match in re.finditer("\n", source):
            self.line_starts.append(match.end())
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.skip = 0
        self.heading_depth = 0
        self.heading_start = 0
        self.headings: list[tuple[int, int]] = []
        self.items: list[tuple[int, int]] = []
        self.soft: set[int] = set()  # line breaks made by a single <br>

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _add(self, text: str, start: int, end: int | None = None) -> None:
        if self.skip:
            return
        for i, ch in enumerate(text):
            if ch in "\r\n\t\f\v":
                ch = " "  # white space inside HTML text is a space
            self.chars.append(ch)
            self.starts.append(start + i if end is None else start)
            self.ends.append(start + i + 1 if end is None else end)

    def _break(self) -> None:
        if self.chars and self.chars[-1] != "\n":
            at = self.ends[-1]
            self.chars.append("\n")
            self.starts.append(at)
            self.ends.append(at)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self._line_break()
        elif tag in _BLOCK:
            self._break()
            if tag in _HEADING_TAGS:
                self.heading_depth += 1
                self.heading_start = len(self.chars)
            elif tag == "li":
                self.items.append((len(self.chars), len(self.chars)))

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self._line_break()
        elif tag in _BLOCK:
            self._break()

    def _line_break(self) -> None:
        """<br>: a line break; a second one in a row ends the paragraph."""
        if self.chars and self.chars[-1] == "\n":
            self.soft.discard(len(self.chars) - 1)
        else:
            self._break()
            if self.chars:
                self.soft.add(len(self.chars) - 1)

    def join_soft_breaks(self) -> None:
        """A single <br> inside a sentence ("The minister<br>must resign.")
        joins its lines like a soft line break of wrapped text: the line
        before lacks final punctuation and the next starts in lower case."""
        for at in self.soft:
            before = "".join(self.chars[max(0, at - 4):at]).rstrip()
            after = next((c for c in self.chars[at + 1:at + 40] if not c.isspace()), "")
            if before and before[-1] not in _FINAL and not any(
                    start <= at <= end for start, end in self.headings) and after.islower():
                self.chars[at] = " "

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            if tag in _HEADING_TAGS and self.heading_depth:
                self.heading_depth -= 1
                self.headings.append((self.heading_start, len(self.chars)))
            self._break()

    def handle_data(self, data):
        self._add(data, self._offset())

    def handle_entityref(self, name):
        start = self._offset()
        raw = f"&{name};" if self.source.startswith(f"&{name};", start) else f"&{name}"
        self._add(unescape(raw), start, start + len(raw))

    def handle_charref(self, name):
        start = self._offset()
        raw = f"&#{name};" if self.source.startswith(f"&#{name};", start) else f"&#{name}"
        self._add(unescape(raw), start, start + len(raw))


def _from_html(source: str) -> Prepared:
    parser = _TextOfHTML(source)
    parser.feed(source)
    parser.close()
    parser.join_soft_breaks()
    text = "".join(parser.chars)
    return Prepared(source, text, html=True, starts=parser.starts, ends=parser.ends,
                    headings=parser.headings, items=parser.items)


# --- language ----------------------------------------------------------------------------

# The commonest English function words: in English prose they are about a
# fifth of all words, in other languages written in Latin letters rarely
# more than a few per cent.  Counting them decides almost every document
# without loading a language model.
_ENGLISH = frozenset(re.findall(r"\w+", """the of and to a in is that for it on was with as by
    be at are from this have has not or an but which its were their they will been would said
    who after also than more about our we should must"""))
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE = 3000
_QUICK = 600


def detect_language(text: str) -> str:
    """ISO 639-1 code of *text*'s language ("en" for English).

    Clear English is recognised from function words alone; anything else is
    asked of py3langid, which ships its own model (no download)."""
    head = text[:_QUICK].lower()
    spaces = head.count(" ")
    # The cheapest test first: four words counted in C settle ordinary
    # English (in English prose about one word in eight is one of them).
    if spaces > 40 and head.count(" the ") + head.count(" of ") + head.count(" and ") \
            + head.count(" to ") >= 0.06 * spaces:
        return "en"
    sample = text[:_SAMPLE]
    words = _WORD.findall(sample.lower())
    if 0 < len(words) < 6 and sample.isascii():
        return "en"  # too short for any detector; English letters
    if not words:
        return "en"  # no letters to judge by: nothing to warn about
    english = sum(1 for w in words if w in _ENGLISH)
    if english >= 0.12 * len(words) and (english >= 3 or len(words) < 12):
        return "en"
    return _langid(sample)


def _langid(sample: str) -> str:
    try:
        import py3langid
    except ImportError:  # pragma: no cover - a declared dependency
        return "unknown"
    return py3langid.classify(sample)[0]
