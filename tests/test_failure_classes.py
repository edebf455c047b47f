"""The shipped model on the failure classes seen on real text (issue 10),
pinned on sentences written here: a retrained model that loses one of them
fails this file.  Nothing here is timed."""

import re
from pathlib import Path

import pytest

import framing

CODEBOOK = Path(__file__).resolve().parent.parent / "labels" / "CODEBOOK.md"

CASES = [
    # Short inputs: the words decide, not the position or the document's shares.
    ("The minister must resign immediately.", ["policy_recommendation"]),
    ("The ministry must lift the ban. Officials said talks resume.",
     ["policy_recommendation", "neutral_reporting"]),
    ("We call on the council to lift the ban.", ["policy_recommendation"]),
    ("Lift the sanctions now", ["policy_recommendation"]),
    # The issuer speaking in its own statement acts; the same words reported do not.
    ("Statement by the Ministry of Foreign Affairs\n"
     "The Ministry condemns the attack on the border post in the strongest terms. "
     "Such reckless acts endanger the peace of the region. The Ministry calls on the "
     "international community to hold those responsible to account.",
     ["accusation", "accusation", "policy_recommendation"]),
    ("Officials trade blame after border clash\n"
     "ISLAMABAD - The ministry condemned the attack on the border post, a spokesman said on "
     "Tuesday. Officials in Kabul said the post had fired first. Talks are due to resume "
     "next week, according to diplomats.",
     ["neutral_reporting"] * 3),
    # A bulleted list of demands is recommendations.
    ("Our demands\n- Restore funding to rural clinics.\n- Publish the audit of the closures.\n"
     "- Reinstate the dismissed nurses.",
     ["policy_recommendation", "policy_recommendation", "policy_recommendation"]),
    # Counterfactual criticism, a record answering critics, even-handed analysis.
    ("If Washington had genuine concerns, it could have engaged Islamabad through diplomatic "
     "channels instead of making provocative statements at a public forum.", ["accusation"]),
    ("Pakistan has consistently demonstrated its commitment to regional peace and global "
     "security, whatever its critics claim.", ["defence"]),
    ("Critics argue that overreliance on military instruments can erode trust; supporters "
     "respond that it has kept the border quiet.", ["neutral_reporting"]),
]


@pytest.mark.parametrize(("text", "labels"), CASES, ids=[c[0][:40] for c in CASES])
def test_failure_classes(text, labels):
    assert framing.score_text(text)["label"].tolist() == labels


def codebook_examples() -> list[tuple[str, str]]:
    """(sentence, label) for every example listed under the codebook's label headings."""
    text = CODEBOOK.read_text(encoding="utf-8")
    section = text[text.index("## Examples from the seeds"):text.index("## Label files")]
    examples, label = [], None
    for block in re.split(r"\n(?=### |- )", section):
        if block.startswith("### "):
            label = block[4:].split("\n")[0].strip()
        elif block.startswith("- ") and label:
            found = re.match(r'- "(.*?)"\s*\(', " ".join(block.split()))
            if found:
                examples.append((found.group(1), label))
    return examples


def test_the_codebook_lists_examples_of_every_label():
    assert {label for _, label in codebook_examples()} == set(framing.LABELS)


@pytest.mark.parametrize(("sentence", "label"), codebook_examples())
def test_codebook_examples_are_labelled_as_the_codebook_says(sentence, label):
    assert framing.score_text(sentence)["label"].tolist() == [label]


def test_a_list_marker_does_not_decide_the_label():
    items = ["The mayor lied to residents and wasted millions.",
             "Officials said the budget was approved in May.",
             "We have done nothing wrong and the audit clears us."]
    outs = []
    for marker in ("- ", "* ", "• ", "1. ", "iv. "):
        text = "Critics reacted on Monday.\n\n" + "\n".join(marker + i for i in items) + "\n"
        outs.append(framing.score_text(text)[["label", "confidence"]].round(6))
    assert all(out.equals(outs[0]) for out in outs[1:])
