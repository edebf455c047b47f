import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.sentences import split_sentences


def texts(text):
    return [s.text for s in split_sentences(text)]


def test_abbreviations_do_not_end_sentences():
    text = "Dr. Khan met Gen. Bajwa on Jan. 5 at the U.N. in New York. Talks failed."
    assert texts(text) == ["Dr. Khan met Gen. Bajwa on Jan. 5 at the U.N. in New York.",
                           "Talks failed."]


def test_abbreviation_followed_by_sentence_starter_ends_sentence():
    assert texts("Sanctions were imposed by the U.S. The decision angered Islamabad.") == [
        "Sanctions were imposed by the U.S.", "The decision angered Islamabad."]


def test_question_inside_quote_then_attribution_is_one_sentence():
    assert texts("“What more do they want?” he asked. Brig. Gen. Aung spoke.") == [
        "“What more do they want?” he asked.", "Brig. Gen. Aung spoke."]


def test_initials_and_dotted_acronyms():
    assert texts("The A.Q. Khan network was exposed. J. R. Smith spoke.") == [
        "The A.Q. Khan network was exposed.", "J. R. Smith spoke."]


def test_paragraph_break_always_ends_a_sentence():
    spans = split_sentences("First line without stop but long enough to not be a heading at "
                            "all because it has many many words in it today\nSecond.")
    assert [s.paragraph for s in spans] == [0, 1]
    assert not spans[0].heading


def test_headings_are_marked():
    text = ("Criticism of Past Policies\nAsif acknowledged the costs.\n"
            "Do Controls Work? The Evidence So Far\nThey do.")
    result = [(s.text, s.heading) for s in split_sentences(text)]
    assert result == [("Criticism of Past Policies", True),
                      ("Asif acknowledged the costs.", False),
                      ("Do Controls Work?", True), ("The Evidence So Far", True),
                      ("They do.", False)]


def test_prose_line_without_final_stop_is_not_a_heading():
    spans = split_sentences("The fees rose. Critics objected. <b>more</b>\nNext one.")
    assert [s.heading for s in spans] == [False, False, False, False]


def test_quotation_attributed_later_marks_every_sentence():
    text = ("“We will not accept this. The decision is unlawful,” the minister said. "
            "The court meets today.")
    spans = split_sentences(text)
    assert [(s.quoted, s.attributed) for s in spans] == [
        (True, True), (True, True), (False, False)]


def test_multi_paragraph_quotation_continues():
    text = ("“We recognise the threat.\n“And we remain committed,” Kirby said.\n"
            "Unrelated “scare quotes” here.")
    spans = split_sentences(text)
    assert [s.attributed for s in spans] == [True, True, False]


def test_unattributed_quote_is_quoted_but_not_attributed():
    (only,) = split_sentences("“A fair deal for every worker.”")
    assert only.quoted and not only.attributed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab .?!\n“”\"'US") + ["Mr. ", " The ", "U.S. ", "\n\n"]),
                max_size=60).map("".join))
def test_spans_reproduce_the_source(text):
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text
        assert s.start >= previous_end
        assert s.text.strip() == s.text and s.text
        previous_end = s.end


@settings(max_examples=int(__import__("os").environ.get("FRAMING_EXAMPLES", 300)), deadline=None)
@given(st.lists(st.sampled_from(["The", " ban", " is", " unjust", ".", "?", "!", "...", " ",
                                 "”", "“", "\"", " Dr.", " U.S.", " e.g.", " a", " J.", " 12.",
                                 " he", " said", "\n", " Talks", ")", "(", "‘", "’", "'", ",", "-",
                                 "3", " Gen.", " Mr.", " Khan", " It", " the", " v.", " UN.",
                                 " ex-Gen.", " 1,", " Sept.", " GDPR.", " chargé.", " é", " 5",
                                 " re-registration", " 1990s", " COVID-19", " 19-20", " G7",
                                 " Secretary-General,", " He’s", " The,", " St.", " 5th",
                                 " Helier,", " e.g.", " carbon-14", " x-", " (e.g.", " (",
                                 " then-U.S.", " points”.", " 64%.", " 1.5%", " (CFE).", " km.",
                                 " p.m.", " No.", " E.", "’.", "”.", ").", " [a].", "{"]),
                max_size=40).map("".join))
def test_fast_path_agrees_with_punkt(text):
    import framing.sentences as sentences

    fast = [(s.start, s.end) for s in split_sentences(text)]
    original = sentences._easy_spans
    sentences._easy_spans = lambda line: None
    try:
        punkt = [(s.start, s.end) for s in split_sentences(text)]
    finally:
        sentences._easy_spans = original
    assert fast == punkt


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list(".?!…;:@*([{}“‘\"'”’)] ax\n")), max_size=12).map("".join))
def test_odd_punctuation_pattern_finds_what_the_plain_one_does(text):
    import re

    from framing.sentences import _ODD_PUNCT

    plain = re.compile(r"[.?!…][.?!…;:@*(\[{}“‘]|[.?!][\"'”’)\]]+[^\s\"'”’)\]]")
    assert bool(_ODD_PUNCT.search(text)) == bool(plain.search(text))


def test_the_patched_fast_path_is_the_one_in_use(monkeypatch):
    # test_fast_path_agrees_with_punkt compares Punkt with the fast path by
    # switching _easy_spans off: that only means something if it is called.
    import framing.sentences as sentences

    def boom(line):
        raise AssertionError("called")

    monkeypatch.setattr(sentences, "_easy_spans", boom)
    with pytest.raises(AssertionError, match="called"):
        split_sentences("The ban held. Talks resumed.")
