"""Everyday failures give one line on stderr and exit 1, never a traceback
(issue 12 item 3).  A full disk and a read-only folder are simulated
in-process: writes into the output folder fail with ENOSPC or EROFS."""

import builtins
import errno
import gzip
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from framing.cli import main

ARTICLE = "The ministry rejects these baseless allegations. We call on the council to act.\n"


@pytest.fixture
def project(tmp_path, model_file, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE)
    assert main(["batch", "a.txt", "-o", "run", "-q", "--model", str(model_file)]) == 0
    capsys.readouterr()
    (tmp_path / "out").mkdir()
    return tmp_path


def failing_writes(monkeypatch, folder: Path, code: int):
    """Every write under *folder* fails with *code* (no space, read-only)."""
    folder = str(folder.resolve())
    real_open, real_replace = builtins.open, os.replace

    def under(path) -> bool:
        return str(Path(os.fspath(path)).resolve()).startswith(folder)

    def fake_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+") \
                and under(file):
            raise OSError(code, os.strerror(code), os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    def fake_replace(src, dst, *args, **kwargs):
        if under(dst):
            raise OSError(code, os.strerror(code), os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "replace", fake_replace)


COMMANDS = [
    ["score", "a.txt", "-o", "out/x.json", "--format", "json"],
    ["score", "a.txt", "-o", "out/x.html", "--format", "html"],
    ["batch", "a.txt", "-o", "out/run", "-q"],
    ["summarize", "run", "-o", "out/s.csv", "--format", "csv"],
    ["suggest", "a.txt", "-o", "out/todo.csv"],
    ["models", "-o", "out/m.json", "--format", "json"],
    ["export", "-o", "out/m.skops"],
]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_full_disk_or_read_only_folder_is_one_line(project, capsys, monkeypatch, model_file,
                                                     argv, code):
    failing_writes(monkeypatch, project / "out", code)
    extra = [] if argv[0] in ("summarize", "models") else ["--model", str(model_file)]
    assert main(argv + extra) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("framing: error: ") and "Traceback" not in err
    assert os.strerror(code) in err
    monkeypatch.undo()
    assert not list((project / "out").rglob("*.tmp")), "a temporary file was left behind"


def test_output_into_a_missing_folder_fails_before_any_work(project, capsys, model_file):
    assert main(["score", "a.txt", "-o", "nope/x.csv", "--format", "csv",
                 "--model", str(model_file)]) == 1
    assert capsys.readouterr().err == ("framing: error: folder nope does not exist; create it "
                                       "or choose another -o/--output\n")


def test_a_truncated_gzip_input_says_so(project, capsys, model_file):
    data = gzip.compress(b"text\n" + b"The ban is unjust. Talks resume.\n" * 5000)
    (project / "t.csv.gz").write_bytes(data[: len(data) // 2])
    assert main(["batch", "t.csv.gz", "-o", "gz", "-q", "--model", str(model_file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("framing: error: t.csv.gz: ended early or is damaged")
    assert "truncated" in err and err.count("\n") == 1


def test_bad_json_lines_go_to_errors_and_the_run_goes_on(project, capsys, model_file):
    (project / "d.jsonl").write_text('{"text": "The ban is unjust."}\n{broken\n'
                                     '[1, 2]\n{"body": "no text key"}\n{"text": "Talks resume."}\n')
    assert main(["batch", "d.jsonl", "-o", "j", "-q", "--model", str(model_file)]) == 3
    errors = pd.read_csv(project / "j" / "errors.csv")
    assert errors["reason"].tolist() == [
        "d.jsonl:2: not a JSON object (Expecting property name enclosed in double quotes)",
        "d.jsonl:3: not a JSON object (a JSON list, not an object)",
        "missing value in text column 'text'"]
    assert pd.read_parquet(project / "j" / "documents.parquet")["n_sentences"].tolist() == [1, 1]


def test_a_nonsense_dask_scheduler_is_one_line(project, capsys, model_file):
    pytest.importorskip("dask.distributed")
    assert main(["batch", "a.txt", "-o", "d", "-q", "--engine", "dask", "--scheduler",
                 "nonsense", "--model", str(model_file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("framing: error: cannot reach the Dask scheduler at nonsense")


@pytest.mark.parametrize(("argv", "module", "extra"), [
    (["report", "run", "-o", "r.html"], "matplotlib", "framing[report]"),
    (["export", "-o", "m.skops"], "skops", "framing[share]"),
])
def test_a_missing_extra_names_the_extra(project, capsys, monkeypatch, model_file, argv, module,
                                         extra):
    import sys

    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    args = argv + (["--model", str(model_file)] if argv[0] == "export" else [])
    assert main(args) == 1
    err = capsys.readouterr().err
    assert extra in err and err.count("\n") == 1


@pytest.mark.parametrize(("argv", "message"), [
    (["batch", "a.txt", "-o", "z", "--jobs", "0"], "0 processes: give 1 or more, or -1"),
    (["explain", "The ban is unjust.", "-k", "-1"], "-1 is not in the range x>=1"),
    (["agree", "a.csv", "b.csv", "--max-shown", "-3"], "-3 is not in the range x>=0"),
])
def test_nonsense_numbers_are_refused(project, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_report_is_named_html(project, capsys):
    assert main(["report", "run", "-o", "r.pdf"]) == 1
    assert "name it .html" in capsys.readouterr().err
    assert not (project / "r.pdf").exists()


def test_dask_runs_quietly_with_q(project, capsys, model_file):
    pytest.importorskip("dask.distributed")
    assert main(["batch", "a.txt", "-o", "dq", "-q", "--engine", "dask", "--jobs", "1",
                 "--model", str(model_file)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("framing: 1 document, 2 sentences")


def test_nothing_to_do_is_exit_1_and_upper_case_txt_is_read(project, capsys, model_file):
    (project / "empty").mkdir()
    assert main(["batch", "empty", "-o", "e1", "-q", "--model", str(model_file)]) == 1
    assert "no .txt files in this folder" in capsys.readouterr().err
    (project / "header.csv").write_text("text,outlet\n")
    assert main(["batch", "header.csv", "-o", "e2", "-q", "--model", str(model_file)]) == 1
    assert "the inputs hold no documents" in capsys.readouterr().err
    upper = project / "upper"
    upper.mkdir()
    (upper / "A.TXT").write_text(ARTICLE)
    assert main(["batch", "upper", "-o", "e3", "-q", "--model", str(model_file)]) == 0
    assert pd.read_parquet(project / "e3" / "documents.parquet")["id"].tolist() == ["A"]


def test_excel_csv_with_a_byte_order_mark(project, capsys, model_file):
    (project / "excel.csv").write_bytes("\ufefftext,outlet\nThe ban is unjust.,Daily\n"
                                        .encode("utf-8"))
    assert main(["batch", "excel.csv", "-o", "x", "-q", "--model", str(model_file)]) == 0
    documents = pd.read_parquet(project / "x" / "documents.parquet")
    assert documents["outlet"].tolist() == ["Daily"]


def test_a_byte_that_is_not_utf8_deep_in_a_csv_fails_only_its_row(project, capsys, model_file):
    data = (b"text\n" + b"The ban is unjust.\n" * 1000 + b"Caf\xe9 owners protest.\n"
            + b"Talks resume.\n")
    (project / "latin.csv").write_bytes(data)
    assert main(["batch", "latin.csv", "-o", "l", "-q", "--model", str(model_file)]) == 3
    errors = pd.read_csv(project / "l" / "errors.csv")
    assert errors["reason"].tolist() == [
        "latin.csv:1002: not valid UTF-8 text; convert the file, e.g. iconv -f latin1 -t utf-8 "
        "latin.csv"]


@pytest.mark.parametrize("fmt", ["table", "json", "html"])
def test_explain_or_html_on_a_text_without_sentences(project, capsys, model_file, fmt):
    (project / "h.html").write_text("<html><body><h1>Only a heading</h1></body></html>")
    out = project / f"result.{fmt}"
    assert main(["score", "h.html", "--explain", "--format", fmt, "-o", str(out),
                 "--model", str(model_file)]) == 0
    err = capsys.readouterr().err
    assert "no sentences found: only headings" in err and "Traceback" not in err


def test_an_unfinished_run_says_to_run_batch_again(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text('{"status": "running"}')
    for argv in (["summarize", "run"], ["report", "run", "-o", "r.html"],
                 ["suggest", "run", "-o", "todo.csv"]):
        assert main(argv) == 1
        assert capsys.readouterr().err.startswith(
            "framing: error: run: this `framing batch` run is unfinished (no ")


def test_a_force_that_fails_half_way_leaves_the_run_unfinished(project, capsys, monkeypatch,
                                                               model_file):
    import json
    import pathlib

    real_unlink = pathlib.Path.unlink

    def unlink(self, *args, **kwargs):
        if self.name == "documents.csv":
            raise PermissionError(1, "Operation not permitted", str(self))
        return real_unlink(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(pathlib.Path, "unlink", unlink)
        assert main(["batch", "a.txt", "-o", "run", "-q", "--force",
                     "--model", str(model_file)]) == 1
    assert json.loads((project / "run" / "run.json").read_text())["status"] == "running"
    capsys.readouterr()
    assert main(["summarize", "run"]) == 1
    assert "batch command again to finish it" in capsys.readouterr().err
    assert main(["batch", "a.txt", "-o", "run", "-q", "--model", str(model_file)]) == 0
    assert (project / "run" / "documents.parquet").exists()


def test_summarize_keeps_a_users_file_of_the_same_name(project, capsys):
    mine = project / "run" / "summary_all.csv"
    mine.write_text("MY OWN SUMMARY\n")
    assert main(["summarize", "run"]) == 0
    assert mine.read_text() == "MY OWN SUMMARY\n"
    assert "is not a summary framing wrote; left as it is" in capsys.readouterr().err
    assert main(["summarize", "run", "--force"]) == 0
    first = mine.read_text().splitlines()[0]
    assert first.startswith("all,n_documents")
    assert main(["summarize", "run"]) == 0  # its own summary is replaced without --force
    assert "left as it is" not in capsys.readouterr().err


def test_a_header_that_names_a_column_twice_is_refused(tmp_path, capsys, monkeypatch,
                                                       model_file):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("outlet,text,outlet\nA,The ban is unjust.,B\n")
    assert main(["batch", "in.csv", "-o", "run", "-q", "--model", str(model_file)]) == 1
    assert capsys.readouterr().err == ("framing: error: in.csv: the header names column "
                                       "'outlet' twice; rename one so that no column is lost\n")


def test_rows_without_an_id_are_named_with_a_warning(tmp_path, capsys, monkeypatch, model_file):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("key,text\na,The ban is unjust.\n,Talks resume.\n")
    assert main(["batch", "in.csv", "--id-column", "key", "-o", "run", "-q",
                 "--model", str(model_file)]) == 0
    assert "in.csv: 1 row has no value in the id column 'key'; named in.csv:ROW" \
        in capsys.readouterr().err
    ids = pd.read_parquet(tmp_path / "run" / "documents.parquet")["id"].tolist()
    assert ids == ["a", "in.csv:2"]


@pytest.mark.parametrize("record", ["[]", "null", "{", ""])
def test_a_damaged_run_record_is_one_line(project, capsys, model_file, record):
    (project / "run" / "run.json").write_text(record)
    for extra in ([], ["--force"]):
        assert main(["batch", "a.txt", "-o", "run", "-q", "--model", str(model_file),
                     *extra]) == 1
        assert capsys.readouterr().err.startswith(
            "framing: error: run/run.json is not a record of a framing run (unreadable)")


def test_commands_reading_a_run_never_write_over_it(project, capsys, model_file):
    from framing.batchrun import OUTPUT_FILES
    from framing.cli import run_files

    assert [p.name for p in run_files(["run"])] == list(OUTPUT_FILES)
    before = (project / "run" / "run.json").read_text()
    for argv in (["summarize", "run", "-o", "run/run.json", "--force"],
                 ["suggest", "run", "-o", "run/documents.csv", "--force",
                  "--model", str(model_file)]):
        assert main(argv) == 1
        assert "is also an input" in capsys.readouterr().err
    assert (project / "run" / "run.json").read_text() == before


def test_report_keeps_a_users_files_beside_a_new_report(project, capsys):
    (project / "r_files").mkdir()
    (project / "r_files" / "shares_by_all.png").write_text("mine")
    assert main(["report", "run", "-o", "r.html"]) == 1
    assert "r_files exists and is not empty; pass --force" in capsys.readouterr().err
    assert (project / "r_files" / "shares_by_all.png").read_text() == "mine"
    assert main(["report", "run", "-o", "fresh.html", "--by", "nope"]) == 1
    assert not (project / "fresh_files").exists()  # a failed report leaves no folder


def test_a_file_name_that_is_not_utf8_is_scored(project, capsys, model_file):
    name = os.fsdecode(b"caf\xe9.txt")
    (project / name).write_text(ARTICLE)
    assert main(["score", name, "--format", "json", "--model", str(model_file)]) == 0
    assert json.loads(capsys.readouterr().out)["documents"][0]["doc"] == "caf\ufffd.txt"


def test_explain_and_agree_odd_arguments(project, capsys, tmp_path):
    assert main(["explain", os.fsdecode(b"The minister must resign \x9b.")]) == 1
    assert capsys.readouterr().err.startswith("framing: error: the text is not valid UTF-8")
    labels = tmp_path / "l.csv"
    labels.write_text("document,sentence,start,end,text,label\nd,0,0,9,The ban.,defence\n")
    assert main(["agree", str(labels), str(labels)]) == 1
    assert "is given twice; agreement compares different files" in capsys.readouterr().err


def test_label_refuses_answers_that_would_spoil_a_file(project, capsys):
    (project / "mine.csv").write_text("my,own\n1,2\n")
    assert main(["label", "a.txt", "-o", "a.txt"]) == 1
    assert "a.txt is the file being labelled" in capsys.readouterr().err
    assert main(["label", "a.txt", "-o", "mine.csv"]) == 1
    assert "mine.csv exists and is not a framing answers file" in capsys.readouterr().err
    assert (project / "mine.csv").read_text() == "my,own\n1,2\n"
    assert (project / "a.txt").read_text() == ARTICLE


def test_a_report_on_a_date_column_without_dates_has_no_time_chart(tmp_path, capsys,
                                                                   monkeypatch, model_file):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("date,text\n,The ban is unjust.\n,Talks resume.\n")
    assert main(["batch", "in.csv", "-o", "run", "-q", "--model", str(model_file)]) == 0
    assert main(["report", "run", "-o", "r.html"]) == 0
    assert "Acts over time" not in (tmp_path / "r.html").read_text()
    assert main(["summarize", "run", "--by", "month"]) == 1
    assert "column 'date' holds no dates" in capsys.readouterr().err
