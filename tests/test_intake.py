"""Text intake: messy inputs keep every sentence, offsets point into the input."""

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.intake import detect_language, looks_like_html, prepare
from framing.scoring import read_text, split_document

MESSY = Path(__file__).parent / "data" / "messy"
CASES = sorted(p for p in MESSY.iterdir() if p.suffix in (".txt", ".html"))
EXAMPLES = int(os.environ.get("FRAMING_EXAMPLES", "300"))


def units(text: str, **kw) -> list[tuple[str, int, int, str]]:
    sentences, headings = split_document(text, **kw)
    rows = [("S", s, e, t) for _, _, s, e, t, _, _ in sentences]
    rows += [("H", s, e, t) for _, s, e, t in headings]
    return sorted(rows, key=lambda r: r[1])


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_messy_inputs_split_as_expected(path):
    source = read_text(path)
    expected = [tuple(line.split(" ", 1)) for line in
                path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()]
    got = [(kind, " ".join(text.split())) for kind, _, _, text in units(source)]
    assert got == [(kind, text) for kind, text in expected]
    if path.suffix == ".txt":
        assert_covers(source, units(source))


def assert_covers(source: str, rows) -> None:
    """Every non-whitespace character in exactly one unit; each unit's text
    is the source's slice."""
    owner = [0] * len(source)
    for _, start, end, text in rows:
        assert source[start:end] == text
        for i in range(start, end):
            owner[i] += 1
    for i, ch in enumerate(source):
        if not ch.isspace() and ch != "\ufeff":
            assert owner[i] == 1, (i, ch, source)


def test_the_documented_reading_counts_a_bom_and_reads_crlf_as_lf():
    path = MESSY / "bom_crlf.txt"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    documented = path.read_text(encoding="utf-8")  # universal newlines, as open().read()
    assert read_text(path) == documented
    first = units(documented)[0]
    assert first[1] == 1 and documented[first[1]:first[2]] == "The regulator fined the company."


def test_html_offsets_point_into_the_markup():
    source = (MESSY / "page.html").read_text(encoding="utf-8")
    assert looks_like_html(source)
    for kind, start, end, text in units(source):
        raw = source[start:end]
        clean = prepare(raw, html=True).text
        assert " ".join(clean.split()) == " ".join(text.split()), (kind, raw)
    assert "never text" not in " ".join(t for *_, t in units(source))


def test_wrapping_is_joined_unless_switched_off():
    source = (MESSY / "wrapped.txt").read_text(encoding="utf-8")
    assert prepare(source).unwrapped >= 6
    kept = units(source, unwrap=False)
    assert any(text == "For three years the county has promised that the new bridge"
               for _, _, _, text in kept)
    assert_covers(source, kept)


def test_one_sentence_paragraphs_are_not_wrapped():
    text = ("The council met on Monday.\nThe mayor was not there.\n"
            "Officials said the budget would pass.\n")
    assert prepare(text).text == text


@pytest.mark.parametrize(("text", "language"), [
    ("The minister must resign immediately.", "en"),
    ("Lift the sanctions now", "en"),
    ("中国外交部发言人表示，美方的指责毫无根据。", "zh"),
    ("وزیر اعظم نے کہا کہ حکومت استعفیٰ نہیں دے گی۔", "ur"),
    ("Le ministre doit démissionner immédiatement, a déclaré le syndicat lundi.", "fr"),
])
def test_language(text, language):
    assert detect_language(text) == language


def test_an_open_quotation_ends_at_the_next_attribution():
    from framing.sentences import split_sentences

    text = ('He called it "a disgrace. The council met on Monday. Officials said talks '
            'resume. The budget passed.')
    flags = [s.quoted for s in split_sentences(text)]
    assert flags == [True, True, False, False]


# --- the invariant, on generated documents ------------------------------------------------

WORDS = st.sampled_from(["the", "council", "must", "act", "now", "budget", "union", "said",
                         "we", "reject", "claims", "Dr.", "U.S.", "Mr.", "2024", "ministry",
                         "port", "rail"])
sentence = st.builds(lambda ws, end: " ".join(ws).capitalize() + end,
                     st.lists(WORDS, min_size=1, max_size=12),
                     st.sampled_from([".", "?", "!", "!!!", "…", "", ".”", "?!"]))
paragraph = st.builds(" ".join, st.lists(sentence, min_size=1, max_size=4))
heading = st.builds(lambda ws: " ".join(w.capitalize() for w in ws),
                    st.lists(WORDS, min_size=1, max_size=6))
bullet = st.builds(lambda mark, s: f"{mark} {s}", st.sampled_from(["-", "*", "•", "1.", "2)"]),
                   sentence)
quoted = st.builds(lambda a, b: f"“{a} {b}", paragraph, paragraph)
block = st.one_of(paragraph, heading, bullet, quoted,
                  st.builds(lambda h: f"# {h}", heading))


def wrap(text: str, width: int) -> str:
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return "\n".join(out)


@st.composite
def documents(draw):
    blocks = draw(st.lists(block, min_size=1, max_size=8))
    if draw(st.booleans()):
        width = draw(st.integers(30, 80))
        blocks = [wrap(b, width) for b in blocks]
    separator = draw(st.sampled_from(["\n", "\n\n", "\n \n"]))
    text = separator.join(blocks)
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@settings(max_examples=EXAMPLES, deadline=None)
@given(documents())
def test_nothing_is_dropped_and_spans_are_slices(text):
    assert_covers(text, units(text))


@settings(max_examples=max(50, EXAMPLES // 3), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "li", "h2", "div"]), paragraph), min_size=1,
                max_size=6))
def test_html_text_is_never_dropped(parts):
    source = "<html><body>" + "".join(f"<{tag}>{body.replace('&', '&amp;')}</{tag}>"
                                      for tag, body in parts) + "</body></html>"
    text = "".join(t for *_, t in units(source))
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", "".join(b for _, b in parts))


def test_an_ellipsis_before_a_capital_ends_a_sentence():
    got = [u[3] for u in units("Owners welcomed the move… The council must act. "
                               "And then… nothing happened.")]
    assert got == ["Owners welcomed the move…", "The council must act.",
                   "And then… nothing happened."]


def test_a_single_br_inside_a_sentence_joins_its_lines():
    got = [(u[0], u[3]) for u in units("<p>The minister<br>must resign.<br/>Officials said "
                                       "talks resume.</p><p>Contact<br><br>The office is "
                                       "closed.</p>")]
    assert got == [("S", "The minister must resign."), ("S", "Officials said talks resume."),
                   ("H", "Contact"), ("S", "The office is closed.")]


def test_lines_without_a_word_are_shown_not_scored():
    got = [(u[0], u[3]) for u in units("Intro text here.\n\n|---|---|\n\n* * *\n\n```\n\n"
                                       "The end.\n")]
    assert got == [("S", "Intro text here."), ("H", "|---|---|"), ("H", "* * *"),
                   ("H", "```"), ("S", "The end.")]
