"""The CLI in-process: exact output and exit codes, files and stdin."""

import io
import json
import re
import sys

import pytest

from framing.cli import main

TEXT = ("The ministry rejects these baseless allegations. "
        "We call on the council to lift the sanctions.\n")


def run(capsys, *argv, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_score_table_exact(capsys, article, model_file):
    code, out, err = run(capsys, "score", str(article), "--model", str(model_file))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"== {article}"
    assert lines[1] == "  #  label      conf  sentence"
    assert lines[2].startswith("  0  accusation ")
    assert lines[2].endswith("  The ministry rejects these baseless allegations.")
    assert lines[3].startswith("  1  policy_rec ")
    assert "Profile: 2 sentences, dominant act: policy_recommendation" in out


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_score_jsonl_rows_and_spans(capsys, monkeypatch, article, model_file, source):
    if source == "file":
        code, out, _ = run(capsys, "score", str(article), "--format", "jsonl",
                           "--model", str(model_file))
        doc = str(article)
    else:
        code, out, _ = run(capsys, "score", "-", "--format", "jsonl", "--model",
                           str(model_file), stdin=TEXT.encode(), monkeypatch=monkeypatch)
        doc = "-"
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["sentence"] for r in rows] == [0, 1]
    assert all(r["doc"] == doc for r in rows)
    for r in rows:
        assert TEXT[r["start"]:r["end"]] == r["text"]
        total = sum(r[f"p_{lab}"] for lab in
                    ("accusation", "defence", "policy_recommendation", "neutral_reporting"))
        assert total == pytest.approx(1, abs=1e-5)
        assert r["confidence"] == max(r[f"p_{r['label']}"] for _ in [0])


def test_score_json_and_csv_to_file(capsys, tmp_path, article, model_file):
    out_json = tmp_path / "out.json"
    code, out, _ = run(capsys, "score", str(article), "--format", "json", "-o", str(out_json),
                       "--model", str(model_file))
    assert code == 0 and out == ""
    doc = json.loads(out_json.read_text())["documents"][0]
    assert doc["profile"]["n_sentences"] == 2
    assert len(doc["sentences"]) == 2
    code, _, err = run(capsys, "score", str(article), "-o", str(out_json),
                       "--model", str(model_file))
    assert code == 1
    assert err == f"framing: error: {out_json} exists; pass --force to overwrite it\n"
    out_csv = tmp_path / "out.csv"
    code, _, _ = run(capsys, "score", str(article), "--format", "csv", "-o", str(out_csv),
                     "--model", str(model_file))
    header = out_csv.read_text().splitlines()[0]
    assert header == ("doc,sentence,kind,start,end,text,label,confidence,p_accusation,p_defence,"
                      "p_policy_recommendation,p_neutral_reporting")


def bad_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 au lait.".encode("latin1"))
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    return {
        "missing": ([str(tmp_path / "nope.txt")], f"{tmp_path / 'nope.txt'}: no such file"),
        "folder": ([str(tmp_path)], f"{tmp_path} is a folder"),
        "empty": ([str(empty)], "is empty or only whitespace"),
        "latin1": ([str(latin)], "is not valid UTF-8 (byte 3); convert it"),
        "binary": ([str(binary)], "looks like a binary file"),
    }


@pytest.mark.parametrize("case", ["missing", "folder", "empty", "latin1", "binary"])
def test_bad_documents_fail_with_one_line(capsys, tmp_path, model_file, case):
    argv, message = bad_inputs(tmp_path)[case]
    code, out, err = run(capsys, "score", *argv, "--model", str(model_file))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("framing: error: ")
    assert message in err


def test_bad_models_fail_with_one_line(capsys, tmp_path, article):
    corrupt = tmp_path / "corrupt.joblib"
    corrupt.write_bytes(b"\x80\x04garbage")
    for path, message in [(tmp_path / "none.joblib", "not found"),
                          (corrupt, "is not a readable framing model")]:
        code, _, err = run(capsys, "score", str(article), "--model", str(path))
        assert code == 1 and err.count("\n") == 1 and message in err


def test_unknown_format_is_a_usage_error(capsys, article):
    code, out, err = run(capsys, "score", str(article), "--format", "xml")
    assert code == 2 and out == ""
    assert err == ("framing: error: Invalid value for '--format': 'xml' is not one of 'table', "
                   "'csv', 'jsonl', 'json', 'html'. (see `framing score --help`)\n")


def test_train_reports_missing_folders_and_label_errors(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train")
    assert code == 1
    assert err == ("framing: error: document folder seeds not found; run from the project "
                   "folder or pass --documents DIR\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "d.txt").write_text("Lift the ban.")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "x.csv").write_text(
        "document,sentence,start,end,text,label\nd,0,0,13,Lift the ban.,polcy_recommendation\n")
    code, _, err = run(capsys, "train", "--documents", "docs", "-o", "m.joblib")
    assert code == 1
    assert err.startswith("framing: error: labels/x.csv:2: 'polcy_recommendation' is not a "
                          "label (did you mean 'policy_recommendation'?)")
    assert not (tmp_path / "m.joblib").exists()


def test_train_writes_model_card_and_metrics(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tiny_project(tmp_path)
    code, out, _ = run(capsys, "train", "--documents", "docs", "-o", "out/m.joblib")
    assert code == 0
    assert out.startswith("Trained on 12 sentences in 3 documents")
    assert "Held out by document" in out and "confusion" in out
    card = json.loads((tmp_path / "out" / "m.json").read_text())
    assert card["label_counts"]["neutral_reporting"] == 6
    assert "training_texts" not in card
    assert (tmp_path / "out" / "m_CARD.md").exists()
    # Training again keeps the previous model as a version instead of overwriting it.
    first = (tmp_path / "out" / "m.joblib").read_bytes()
    code, _, err = run(capsys, "train", "--documents", "docs", "-o", "out/m.joblib", "--no-eval")
    assert code == 0 and "previous model kept as out/versions/m-" in err
    (kept,) = (tmp_path / "out" / "versions").glob("m-*.joblib")
    assert kept.read_bytes() == first
    assert kept.with_suffix(".json").exists()


def tiny_project(tmp_path):
    from conftest import DOCS

    from framing.scoring import sentence_table

    docs = tmp_path / "docs"
    docs.mkdir()
    lines = ["document,sentence,start,end,text,label"]
    for name, (text, labels) in DOCS.items():
        (docs / f"{name}.txt").write_text(text)
        for row, label in zip(sentence_table(text, name).itertuples(), labels, strict=True):
            lines.append(f'{name},{row.sentence},{row.start},{row.end},"{row.text}",{label}')
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "tiny.csv").write_text("\n".join(lines) + "\n")
    return docs


def test_evaluate_on_a_labelled_file_and_by_cross_validation(capsys, tmp_path, monkeypatch,
                                                              model_file):
    monkeypatch.chdir(tmp_path)
    tiny_project(tmp_path)
    code, out, _ = run(capsys, "evaluate", "--labels", "labels/tiny.csv", "--documents", "docs",
                       "--model", str(model_file))
    assert code == 0
    assert out.startswith("Current model on the given labelled file(s): macro-F1 ")
    assert "confusion (rows true, columns predicted):" in out
    assert "training data" not in out  # the fixture model records no training sentences
    # A model trained on exactly these sentences: evaluating on them is flagged.
    assert run(capsys, "train", "--documents", "docs", "-o", "m.joblib", "--no-eval")[0] == 0
    code, out, _ = run(capsys, "evaluate", "--labels", "labels/tiny.csv", "--documents", "docs",
                       "--model", "m.joblib")
    assert "warning: 12 of these sentences were in the model's training data" in out
    code, out, _ = run(capsys, "evaluate", "--documents", "docs", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["by_document"]["n"] == 12 and result["by_document"]["held_out"] == "document"


def test_tables_fit_80_columns_and_stay_aligned(capsys, tmp_path, model_file, monkeypatch):
    long_text = " ".join(f"The council met on day {i}." for i in range(1, 1101))
    code, out, _ = run(capsys, "score", "-", "--model", str(model_file),
                       stdin=long_text.encode(), monkeypatch=monkeypatch)
    rows = [line for line in out.splitlines() if line[:5].strip().isdigit()]
    confidence_at = {re.search(r" \d\.\d\d  ", line).start() for line in rows}
    assert code == 0 and len(rows) == 1100 and len(confidence_at) == 1  # aligned past 999
    assert "(dominant act: the act with the most sentences, neutral reporting aside;" in out
    code, out, _ = run(capsys, "explain", "The council must act now or the ban will stay.",
                       "--model", str(model_file))
    assert code == 0 and max(map(len, out.splitlines())) <= 80
    code, out, _ = run(capsys, "label", "--help")
    assert "printf 'a\\nn\\nq\\n' | framing label labels/todo.csv" in out
    assert all(not line.startswith("      SOURCE") for line in out.splitlines())


def test_the_profile_names_a_tie(capsys, model_file, tmp_path):
    from framing.scoring import score_documents

    result = score_documents([("a", "The ban is unjust. Talks resume.")], model_file)
    profile = result.documents.iloc[0].to_dict()
    # Force a tie between two acts and render it.
    profile.update({"n_accusation": 1, "n_defence": 1, "dominant_act": "accusation"})
    import pandas as pd

    from framing.cli import render_table

    text = render_table(result.sentences, pd.DataFrame([profile]))
    assert "dominant act: accusation (tied with defence)" in text


@pytest.mark.parametrize("text, why", [
    ("# Heading only", "only 1 heading ('# Heading only'), which framing does not score"),
    ("<h1>Title</h1>", "only 1 heading ('Title'), which framing does not score"),
    ("<p></p>", "no sentence"),
])
def test_explain_without_a_sentence_is_one_line(capsys, model_file, text, why):
    code, out, err = run(capsys, "explain", text, "--model", str(model_file))
    assert code == 1 and out == ""
    assert err == f"framing: error: nothing to explain: the text holds {why}; give a sentence " \
                  "in quotes\n"


def test_explain_reads_stdin_and_lists_headings(capsys, model_file, monkeypatch):
    code, out, _ = run(capsys, "explain", "-", "--model", str(model_file),
                       stdin=b"Key demands\n\nThe council must lift the ban.\n",
                       monkeypatch=monkeypatch)
    assert code == 0
    assert out.splitlines()[:3] == ["(heading, not scored) Key demands", "",
                                    "#0 The council must lift the ban."]
    code, out, _ = run(capsys, "explain", "Key demands\n\nThe council must lift the ban.",
                       "--format", "json", "--model", str(model_file))
    assert json.loads(out)["headings"] == ["Key demands"]


def test_a_text_that_starts_with_a_dash_is_told_about_double_dash(capsys, model_file):
    code, _, err = run(capsys, "explain", "- Restore funding.", "--model", str(model_file))
    assert code == 2
    assert err == ("framing: error: No such option '- '; a text or file name that starts with "
                   "'-' goes after -- (see `framing explain --help`)\n")
    code, out, _ = run(capsys, "explain", "--model", str(model_file), "--",
                       "- Restore funding to rural clinics.")
    assert code == 0 and out.startswith("#0 - Restore funding to rural clinics.")


def test_utf16_and_a_doubled_stdin_are_named(capsys, model_file, tmp_path, monkeypatch):
    path = tmp_path / "u16.txt"
    path.write_bytes("The minister must resign.\n".encode("utf-16"))
    code, _, err = run(capsys, "score", str(path), "--model", str(model_file))
    assert code == 1 and err == (f"framing: error: {path} is UTF-16 text; convert it to UTF-8, "
                                 f"e.g. `iconv -f utf-16 -t utf-8 {path} > converted.txt`\n")
    path.write_bytes("The minister must resign.\n".encode("utf-32"))
    code, _, err = run(capsys, "score", str(path), "--model", str(model_file))
    assert code == 1 and f"{path} is UTF-32 text; convert it to UTF-8, e.g. `iconv -f utf-32" \
        in err
    code, _, err = run(capsys, "score", "-", "-", "--model", str(model_file), stdin=b"x.",
                       monkeypatch=monkeypatch)
    assert code == 1 and "given more than once; it can be read only once" in err


def test_the_table_does_not_pass_escape_sequences_to_the_terminal(capsys, model_file,
                                                                  monkeypatch):
    text = b"The minister must resign.\x1b[31m Officials said talks resume.\n"
    code, out, _ = run(capsys, "score", "-", "--model", str(model_file), stdin=text,
                       monkeypatch=monkeypatch)
    assert code == 0 and "\x1b" not in out and "\ufffd[31m" in out
    code, out, _ = run(capsys, "score", "-", "--format", "jsonl", "--model", str(model_file),
                       stdin=text, monkeypatch=monkeypatch)
    assert "\x1b[31m" in "".join(json.loads(line)["text"] for line in out.splitlines())


def test_a_very_large_input_suggests_batch(capsys, model_file, article, monkeypatch):
    import framing.cli

    monkeypatch.setattr(framing.cli, "LARGE_INPUT", 10)
    code, _, err = run(capsys, "score", str(article), "--model", str(model_file))
    assert code == 0
    assert "`framing score` holds it all in memory" in err and "`framing batch" in err
