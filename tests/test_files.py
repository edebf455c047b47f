"""Output files: what a user already has is never lost (framing.files and the
-o/--force checks of the CLI)."""

import json
import os
import threading

import pandas as pd
import pytest

from framing.cli import main
from framing.files import is_special, replacing, write_text

ARTICLE = "The ministry rejects these baseless allegations. We call on the council to act.\n"


def test_replacing_writes_the_new_contents_and_keeps_the_mode(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_text(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_interruption_leaves_the_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), replacing(target) as fh:
        fh.write("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_users_file_named_like_a_temporary_file_is_left_alone(tmp_path):
    mine = tmp_path / ".out.csv.tmp"
    mine.write_text("my notes")
    write_text(tmp_path / "out.csv", "new")
    assert mine.read_text() == "my notes"


def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert is_special(fifo) and not is_special(tmp_path) and not is_special(tmp_path / "x")
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_text(fifo, "through the pipe")
    reader.join(5)
    assert got == ["through the pipe"]
    assert is_special(fifo)


@pytest.fixture
def article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE)
    return tmp_path / "a.txt"


def test_score_never_overwrites_its_own_input(article, capsys, model_file):
    assert main(["score", "a.txt", "-o", "a.txt", "--force", "--model", str(model_file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("framing: error: a.txt is also an input") and err.count("\n") == 1
    assert article.read_text() == ARTICLE
    (article.parent / "alias.txt").symlink_to(article)
    assert main(["score", "a.txt", "-o", "alias.txt", "--force",
                 "--model", str(model_file)]) == 1
    assert article.read_text() == ARTICLE


def test_score_into_a_fifo_needs_no_force(article, capsys, model_file):
    fifo = article.parent / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    assert main(["score", "a.txt", "-o", "pipe", "--format", "csv",
                 "--model", str(model_file)]) == 0
    reader.join(5)
    assert got and got[0].startswith("doc,sentence,kind")
    assert is_special(fifo)


def test_score_with_force_through_a_link_keeps_the_link(article, capsys, model_file):
    (article.parent / "real.csv").write_text("old")
    (article.parent / "link.csv").symlink_to("real.csv")
    assert main(["score", "a.txt", "-o", "link.csv", "--format", "csv",
                 "--model", str(model_file)]) == 1
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["score", "a.txt", "-o", "link.csv", "--format", "csv", "--force",
                 "--model", str(model_file)]) == 0
    assert (article.parent / "link.csv").is_symlink()
    assert (article.parent / "real.csv").read_text().startswith("doc,sentence,kind")


def test_an_empty_output_name_is_named_as_such(article, capsys, model_file):
    assert main(["score", "a.txt", "-o", "", "--model", str(model_file)]) == 1
    assert capsys.readouterr().err == ("framing: error: -o/--output is empty; give a file "
                                       "name, or - for standard output\n")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_document_without_sentences_is_a_row_of_the_flat_formats(article, capsys,
                                                                    model_file, fmt):
    (article.parent / "empty.html").write_text("<html><body><script>x=1</script></body></html>")
    assert main(["score", "empty.html", "a.txt", "-o", f"out.{fmt}", "--format", fmt,
                 "--model", str(model_file)]) == 0
    path = article.parent / f"out.{fmt}"
    rows = (pd.read_csv(path, keep_default_na=False).to_dict("records") if fmt == "csv"
            else [json.loads(line) for line in path.read_text().splitlines()])
    assert rows[0]["doc"] == "empty.html" and rows[0]["kind"] == "empty"
    assert rows[0]["note"] == "no sentences found"
    assert [r["doc"] for r in rows[1:]] == ["a.txt", "a.txt"]
    assert all(r["note"] == "" for r in rows[1:])
    assert "empty.html: no sentences found" in capsys.readouterr().err
