import logging

import pytest

from framing.errors import LabelError
from framing.labels import read_labels

HEADER = "document,sentence,start,end,text,label,note\n"
DOCS = {"d1": "The ban is unjust. Talks resume.", "d2": "Lift the ban."}


def write(tmp_path, name, body, header=HEADER):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def problems(tmp_path, *files):
    with pytest.raises(LabelError) as info:
        read_labels(files, DOCS)
    return info.value.problems


def test_valid_file_loads(tmp_path):
    path = write(tmp_path, "a.csv", "d1,0,0,18,The ban is unjust.,accusation,\n"
                                    "d1,1,19,32,Talks resume.,neutral_reporting,\n")
    table = read_labels([path], DOCS)
    assert table["label"].tolist() == ["accusation", "neutral_reporting"]


def test_unknown_label_suggests_the_right_one(tmp_path):
    path = write(tmp_path, "a.csv", "d1,0,0,18,The ban is unjust.,acusation,\n")
    assert problems(tmp_path, path) == [
        f"{path}:2: 'acusation' is not a label (did you mean 'accusation'?); expected one of "
        "accusation, defence, policy_recommendation, neutral_reporting"]


def test_missing_column(tmp_path):
    path = write(tmp_path, "a.csv", "d1,0,The ban is unjust.\n",
                 header="document,sentence,text\n")
    (problem,) = problems(tmp_path, path)
    assert problem.startswith(f"{path}:1: missing column(s) start, end, label")


def test_empty_text_and_span_mismatch_are_reported_with_lines(tmp_path):
    path = write(tmp_path, "a.csv", "d1,0,0,18,,accusation,\n"
                                    "d1,1,19,32,Talks resumed.,neutral_reporting,\n"
                                    "d2,0,0,4,Lift,neutral_reporting,\n")
    found = problems(tmp_path, path)
    assert f"{path}:2: empty text" in found
    assert f"{path}:3: text does not match d1[19:32]; fix the span or the text" in found
    assert f"{path}:4: text does not match d2[0:4]; fix the span or the text" not in found


def test_bad_numbers(tmp_path):
    path = write(tmp_path, "a.csv", "d2,0,x,13,Lift the ban.,policy_recommendation,\n")
    assert problems(tmp_path, path) == [f"{path}:2: start must be a whole number >= 0"]


def test_conflicting_labels_across_files(tmp_path):
    a = write(tmp_path, "a.csv", "d2,0,0,13,Lift the ban.,policy_recommendation,\n")
    b = write(tmp_path, "b.csv", "d2,0,0,13,Lift the ban.,accusation,\n")
    (problem,) = problems(tmp_path, a, b)
    assert problem.startswith(f"{a}:2: conflicting labels for the same sentence")
    assert f"{b}:2 says accusation" in problem


def test_exact_duplicates_collapse_with_a_warning(tmp_path, caplog):
    a = write(tmp_path, "a.csv", "d2,0,0,13,Lift the ban.,policy_recommendation,\n")
    b = write(tmp_path, "b.csv", "d2,0,0,13,Lift the ban.,policy_recommendation,\n")
    with caplog.at_level(logging.WARNING, logger="framing"):
        table = read_labels([a, b], DOCS)
    assert len(table) == 1
    assert f"{a}:2: duplicate of {b}:2, kept once" in caplog.text


def test_not_utf8(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(HEADER.encode() + "d2,0,0,13,Lift the ban.,d\xe9fence,\n".encode("latin1"))
    assert problems(tmp_path, path) == [f"{path}:1: not UTF-8 text; save the file as UTF-8 CSV"]


def test_missing_file_or_empty_folder(tmp_path):
    with pytest.raises(LabelError, match="no such label file"):
        read_labels([tmp_path / "nope.csv"])
    with pytest.raises(LabelError, match="no label files found"):
        read_labels([tmp_path])


def test_shipped_label_files_are_valid():
    from framing.dataset import training_table

    table = training_table()
    assert set(table["label"]) == {"accusation", "defence", "policy_recommendation",
                                   "neutral_reporting"}
    assert table.groupby("document")["sentence"].apply(
        lambda s: list(s) == list(range(len(s)))).all()


def test_unlabelled_rows_are_skipped_with_a_warning(tmp_path, caplog):
    path = write(tmp_path, "todo.csv", "d1,0,0,18,The ban is unjust.,,\n"
                                       "d2,0,0,13,Lift the ban.,policy_recommendation,\n")
    with caplog.at_level(logging.WARNING, logger="framing"):
        table = read_labels([path], DOCS)
    assert table["document"].tolist() == ["d2"]
    assert f"{path}: 1 rows have no label (a to-do list" in caplog.text


def test_documents_found_by_source_column_or_trained_without_context(tmp_path, caplog):
    from framing.dataset import training_table

    article = tmp_path / "article.txt"
    article.write_text("Officials met. The ban is unjust.")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "mine.csv").write_text(
        "document,sentence,start,end,text,label,source\n"
        "article,1,15,33,The ban is unjust.,accusation,../article.txt\n"
        "elsewhere,0,5,18,Lift the ban.,policy_recommendation,\n")
    with caplog.at_level(logging.WARNING, logger="framing"):
        table = training_table([labels], [tmp_path / "none"])
    assert table["document"].tolist() == ["article", "elsewhere"]
    assert "1 labelled documents not found" in caplog.text
    (labels / "mine.csv").write_text(
        "document,sentence,start,end,text,label,source\n"
        "article,1,14,33,The ban is unjust.,accusation,../article.txt\n")
    with pytest.raises(LabelError, match="text does not match article"):
        training_table([labels], [tmp_path / "none"])


def test_the_simplest_label_file_is_accepted_with_a_warning(tmp_path, caplog):
    from framing.labels import read_labels

    path = tmp_path / "mine.csv"
    path.write_text('text,label\n"The ban is unjust.",accusation\n"Lift it now.",'
                    "policy_recommendation\n")
    with caplog.at_level("WARNING", logger="framing"):
        table = read_labels([path])
    assert table["label"].tolist() == ["accusation", "policy_recommendation"]
    assert table["document"].tolist() == ["mine:2", "mine:3"]
    assert (table["end"] == table["text"].str.len()).all()
    assert "trains without the article around it" in caplog.text


def test_every_problem_is_reported_and_policy_gets_a_did_you_mean(tmp_path, capsys):
    from framing.cli import main

    (tmp_path / "labels").mkdir()
    path = tmp_path / "labels" / "bad.csv"
    path.write_text("text,label\nThe ban is unjust.,policy\nTalks resume.,acusation\n"
                    "Lift it.,\n,defence\n")
    code = main(["train", "--labels", str(path), "--documents", str(tmp_path), "--no-eval"])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert any(":2: 'policy' is not a label (did you mean 'policy_recommendation'?)" in line
               for line in err)
    assert any(":3: 'acusation' is not a label (did you mean 'accusation'?)" in line
               for line in err)
    assert any(":5: empty text" in line for line in err)
    assert all(line.startswith("framing: ") for line in err)


def test_training_warns_about_a_missing_label_and_a_single_document(tmp_path, caplog):
    from framing.scoring import sentence_table
    from framing.training import train

    text = "The ministry rejects these baseless allegations. Talks resume on Monday."
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "one.txt").write_text(text)
    rows = sentence_table(text, "one")
    lines = ["document,sentence,start,end,text,label"] + [
        f'one,{r.sentence},{r.start},{r.end},"{r.text}",{label}'
        for r, label in zip(rows.itertuples(), ["accusation", "neutral_reporting"], strict=True)]
    (tmp_path / "l.csv").write_text("\n".join(lines) + "\n")
    with caplog.at_level("WARNING"):
        train([tmp_path / "l.csv"], [tmp_path / "docs"], evaluate=False)
    assert "no sentence is labelled defence or policy_recommendation" in caplog.text
    assert "all labelled sentences come from one document" in caplog.text
