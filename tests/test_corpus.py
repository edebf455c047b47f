"""framing batch / summarize: formats, metadata, resume, bad documents, Dask."""

import gzip
import json
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from framing.batchrun import RunError, batch
from framing.cli import main
from framing.corpus import BatchOptions
from framing.errors import InputError
from framing.summary import summarize

TEXTS = [
    "The ministry rejects these baseless allegations. We call on the council to act.",
    "Talks are scheduled for Tuesday. Officials said the talks would resume.",
    "The company's reckless conduct endangered its workers. It is time for regulators to act.",
    "Our forces have always acted with restraint.",
    "The strike began on Monday. The union has met every deadline it agreed to.",
]


@pytest.fixture
def frame():
    rows = [{"url": f"u{i}", "outlet": "A" if i % 2 else "B", "date": f"2024-0{1 + i % 3}-10",
             "body": TEXTS[i % len(TEXTS)]} for i in range(12)]
    rows.append({"url": "u-missing", "outlet": "A", "date": "2024-01-01", "body": None})
    rows.append({"url": "u-empty", "outlet": "B", "date": "2024-02-01", "body": "   "})
    return pd.DataFrame(rows)


def write_input(frame, tmp_path, fmt):
    path = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif fmt in ("jsonl", "jsonl.gz"):
        text = frame.to_json(orient="records", lines=True)
        if fmt == "jsonl.gz":
            path.write_bytes(gzip.compress(text.encode()))
        else:
            path.write_text(text)
    elif fmt == "csv.gz":
        path.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    elif fmt == "parquet":
        frame.to_parquet(path)
    return path


def options(**kw):
    return BatchOptions(text_column="body", id_column="url", chunk_size=4, **kw)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "csv.gz", "jsonl", "jsonl.gz", "parquet"])
def test_every_format_gives_the_same_rows_and_carries_metadata(tmp_path, frame, model_file,
                                                                fmt):
    path = write_input(frame, tmp_path, fmt)
    result = batch([path], tmp_path / "out", options(), model_path=model_file)
    assert (result.documents, result.errors) == (12, 2)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["id"].tolist() == [f"u{i}" for i in range(12)]
    assert docs[["outlet", "date"]].iloc[0].tolist() == ["B", "2024-01-10"]
    sentences = pd.read_parquet(tmp_path / "out" / "sentences.parquet")
    assert sentences.columns[:3].tolist() == ["id", "outlet", "date"]
    assert sentences.groupby("id")["sentence"].max().sum() + 12 == len(sentences)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors[["id", "reason"]].values.tolist() == [
        ["u-missing", "missing value in text column 'body'"],
        ["u-empty", "empty or only whitespace"]]
    assert pd.read_csv(tmp_path / "out" / "documents.csv")["id"].tolist() == docs["id"].tolist()
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["status"] == "complete" and run["result"]["documents"] == 12


def test_document_count_when_cheap(tmp_path, frame):
    from framing.corpus import count_documents, detect_source

    parquet = write_input(frame, tmp_path, "parquet")
    assert count_documents([detect_source(parquet)]) == len(frame)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("One.")
    assert count_documents([detect_source(parquet), detect_source(tmp_path / "folder")]) == \
        len(frame) + 1
    assert count_documents([detect_source(write_input(frame, tmp_path, "csv"))]) is None


def test_folder_of_text_files_recursive_with_bad_documents(tmp_path, model_file):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(TEXTS[0])
    (corpus / "sub" / "b.txt").write_text(TEXTS[2])
    (corpus / "empty.txt").write_text("")
    (corpus / "latin.txt").write_bytes("caf\xe9 noir.".encode("latin1"))
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02")
    (corpus / "huge.txt").write_text("Word. " * 100)
    result = batch([corpus], tmp_path / "out", BatchOptions(max_chars=300),
                   model_path=model_file)
    assert (result.documents, result.errors) == (2, 4)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["id"].tolist() == ["a", "sub/b"]
    assert docs["path"].tolist() == [str(corpus / "a.txt"), str(corpus / "sub" / "b.txt")]
    reasons = dict(pd.read_csv(tmp_path / "out" / "errors.csv")[["id", "reason"]].values)
    assert reasons == {"binary": "binary file, not text", "empty": "empty or only whitespace",
                       "huge": "600 characters, over the --max-chars limit of 300",
                       "latin": "not valid UTF-8 (byte 3)"}


def test_interrupted_run_resumes_to_identical_outputs(tmp_path, frame, model_file):
    path = write_input(frame, tmp_path, "parquet")
    calls = []

    def interrupt(docs, sentences):
        calls.append(docs)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch([path], tmp_path / "resumed", options(), model_path=model_file, progress=interrupt)
    assert len(list((tmp_path / "resumed" / "parts").glob("sentences-*.arrow"))) == 2
    assert not list((tmp_path / "resumed" / "parts").glob(".*tmp"))
    result = batch([path], tmp_path / "resumed", options(), model_path=model_file)
    assert (result.resumed_chunks, result.chunks) == (2, 4)
    straight = batch([path], tmp_path / "straight", options(), model_path=model_file)
    # The resumed run scored only the chunks the interrupted one had not.
    assert 0 < result.resumed_sentences < result.sentences == straight.sentences
    assert straight.resumed_sentences == 0
    for name in ("sentences.parquet", "documents.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "resumed" / name),
                                      pd.read_parquet(tmp_path / "straight" / name))
    for name in ("documents.csv", "errors.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == \
            (tmp_path / "straight" / name).read_bytes()


def test_output_folder_of_another_run_needs_force(tmp_path, frame, model_file):
    a = write_input(frame, tmp_path, "csv")
    b = write_input(frame.head(5), tmp_path, "parquet")
    batch([a], tmp_path / "out", options(), model_path=model_file)
    with pytest.raises(RunError, match="already holds this finished run; pass --force"):
        batch([a], tmp_path / "out", options(), model_path=model_file)
    with pytest.raises(RunError, match="different inputs; pass --force"):
        batch([b], tmp_path / "out", options(), model_path=model_file)
    result = batch([b], tmp_path / "out", options(force=True), model_path=model_file)
    assert result.documents == 5
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("precious")
    with pytest.raises(RunError, match="not empty and holds no framing run"):
        batch([b], tmp_path / "mine", options(), model_path=model_file)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "precious"


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_force_never_deletes_an_input_folder(capsys, tmp_path, monkeypatch, model_file):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(TEXTS):
        (corpus / f"{i}.txt").write_text(text)
    before = snapshot(corpus)
    monkeypatch.chdir(tmp_path)
    code = main(["batch", "corpus", "-o", "corpus", "--force", "--model", str(model_file), "-q"])
    assert code == 1
    assert capsys.readouterr().err == (
        "framing: error: -o corpus holds the input corpus; choose an output folder outside "
        "the inputs, e.g. -o out/\n")
    assert snapshot(corpus) == before


@pytest.mark.parametrize("out", [".", ".."])
def test_force_never_deletes_the_current_folder(capsys, tmp_path, monkeypatch, frame,
                                                model_file, out):
    work = tmp_path / "work"
    work.mkdir()
    path = write_input(frame, work, "csv")
    (work / "notes.txt").write_text("precious")
    before = snapshot(tmp_path)
    monkeypatch.chdir(work)
    code = main(["batch", path.name, "-o", out, "--force", "--model", str(model_file), "-q",
                 "--text-column", "body", "--id-column", "url"])
    assert code == 1
    assert capsys.readouterr().err == (
        f"framing: error: -o {out} is the current folder or holds it; give batch a folder of "
        "its own, e.g. -o out/\n")
    assert snapshot(tmp_path) == before


def test_force_refuses_a_folder_holding_an_input(tmp_path, frame, model_file):
    out = tmp_path / "out"
    out.mkdir()
    path = write_input(frame, out, "csv")
    with pytest.raises(RunError, match="holds the input"):
        batch([path], out, options(force=True), model_path=model_file)
    assert path.exists()


def test_force_replaces_only_what_framing_wrote(tmp_path, frame, model_file):
    a = write_input(frame, tmp_path, "csv")
    out = tmp_path / "out"
    batch([a], out, options(), model_path=model_file)
    (out / "notes.txt").write_text("precious")
    (out / "parts").mkdir()
    (out / "parts" / "mine.arrow").write_text("keep me")
    (out / "charts").mkdir()
    (out / "charts" / "fig.png").write_bytes(b"png")
    first = (out / "sentences.parquet").read_bytes()
    result = batch([a], out, options(force=True), model_path=model_file)
    assert (result.documents, result.errors) == (12, 2)
    assert (out / "notes.txt").read_text() == "precious"
    assert (out / "parts" / "mine.arrow").read_text() == "keep me"
    assert (out / "charts" / "fig.png").read_bytes() == b"png"
    assert (out / "sentences.parquet").read_bytes() == first
    assert json.loads((out / "run.json").read_text())["status"] == "complete"
    # A folder with no framing run in it is refused even with --force.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "documents.csv").write_text("the user's own table")
    with pytest.raises(RunError, match="not empty and holds no framing run"):
        batch([a], mine, options(force=True), model_path=model_file)
    assert (mine / "documents.csv").read_text() == "the user's own table"


def test_bad_inputs_fail_before_any_work(tmp_path, frame, model_file):
    path = write_input(frame, tmp_path, "csv")
    with pytest.raises(InputError, match="no column 'text'; its columns are url, outlet"):
        batch([path], tmp_path / "out", BatchOptions(), model_path=model_file)
    with pytest.raises(InputError, match="unknown input format"):
        (tmp_path / "x.xlsx").write_bytes(b"PK")
        batch([tmp_path / "x.xlsx"], tmp_path / "out", options(), model_path=model_file)
    with pytest.raises(InputError, match="no such file"):
        batch([tmp_path / "nope.csv"], tmp_path / "out", options(), model_path=model_file)
    clashing = tmp_path / "clash.csv"
    frame.assign(id=range(len(frame))).to_csv(clashing, index=False)
    with pytest.raises(InputError, match="pass --id-column id"):
        batch([clashing], tmp_path / "out", options(), model_path=model_file)
    frame.assign(label="x").to_csv(clashing, index=False)
    with pytest.raises(InputError, match="column 'label' has the name of one of framing's"):
        batch([clashing], tmp_path / "out", options(), model_path=model_file)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(InputError, match="cannot be read as jsonl"):
        batch([bad], tmp_path / "out", options(), model_path=model_file)
    assert not (tmp_path / "out").exists()


def test_cli_exit_status_and_summary(tmp_path, frame, model_file, capsys):
    path = write_input(frame, tmp_path, "csv")
    out = tmp_path / "out"
    code = main(["batch", str(path), "--text-column", "body", "--id-column", "url", "-o",
                 str(out), "--model", str(model_file), "-q"])
    err = capsys.readouterr().err
    assert code == 3
    assert f"2 documents could not be scored; see {out / 'errors.csv'}" in err
    code = main(["summarize", str(out), "--by", "outlet", "--format", "csv"])
    table = capsys.readouterr().out.splitlines()
    assert code == 0
    assert table[0].startswith("outlet,n_documents,n_sentences,n_accusation")
    assert [row.split(",")[:2] for row in table[1:]] == [["A", "6"], ["B", "6"]]
    assert (out / "summary_outlet.csv").exists()
    # With -o only the file asked for is written: no side file in the batch folder.
    (out / "summary_outlet.csv").unlink()
    assert main(["summarize", str(out), "--by", "outlet", "-o", str(tmp_path / "s.csv"),
                 "--format", "csv"]) == 0
    assert (tmp_path / "s.csv").exists() and not (out / "summary_outlet.csv").exists()


def test_summarize_by_month_and_errors(tmp_path, frame, model_file):
    path = write_input(frame, tmp_path, "parquet")
    batch([path], tmp_path / "out", options(), model_path=model_file)
    table = summarize(tmp_path / "out", ["month"])
    assert table["month"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert table["n_documents"].tolist() == [4, 4, 4]
    shares = table[[c for c in table.columns if c.startswith("share_")]].sum(axis=1)
    assert shares.round(9).eq(1).all()
    with pytest.raises(InputError, match="no column 'desk'"):
        summarize(tmp_path / "out", ["desk"])
    with pytest.raises(InputError, match="no documents.parquet"):
        summarize(tmp_path, ["outlet"])


def test_parallel_and_dask_engines_match_local(tmp_path, frame, model_file):
    pytest.importorskip("dask.distributed")
    path = write_input(frame, tmp_path, "parquet")
    batch([path], tmp_path / "local", options(), model_path=model_file)
    batch([path], tmp_path / "jobs", options(jobs=2), model_path=model_file)
    with pytest.MonkeyPatch.context() as patch:  # the joblib workers of macOS and Windows
        patch.setattr("framing.batchrun._can_fork", lambda: False)
        batch([path], tmp_path / "joblib", options(jobs=2), model_path=model_file)
    batch([path], tmp_path / "dask", options(engine="dask", jobs=2), model_path=model_file)
    expected = pd.read_parquet(tmp_path / "local" / "sentences.parquet")
    for other in ("jobs", "joblib", "dask"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / other / "sentences.parquet"),
                                      expected)
    shutil.rmtree(tmp_path / "dask")


def test_a_ragged_csv_row_goes_to_errors_and_the_run_goes_on(capsys, tmp_path, model_file):
    path = tmp_path / "ragged.csv"
    path.write_text("id,text\na,The council met.\nb,It cut hours, a spokesman said.\n"
                    "c,Talks resume.\n")
    code = main(["batch", str(path), "--id-column", "id", "-o", str(tmp_path / "out"), "-q",
                 "--model", str(model_file)])
    assert code == 3 and "Traceback" not in capsys.readouterr().err
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors["id"].tolist() == ["ragged.csv:line 3"]
    assert errors["reason"].iloc[0].startswith("ragged.csv:3: a malformed row (expected 2 "
                                               "fields, saw 3)")
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert documents["id"].tolist() == ["a", "c"]


def test_an_unclosed_quote_is_one_line_not_a_traceback(capsys, tmp_path, model_file):
    path = tmp_path / "quote.csv"
    path.write_text('id,text\na,"The council met.\nb,Talks resume.\n')
    code = main(["batch", str(path), "--id-column", "id", "-o", str(tmp_path / "out"), "-q",
                 "--model", str(model_file)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(f"framing: error: {path}: cannot be read past row 1")
    assert "close the quotation marks" in err and "Traceback" not in err


def test_non_english_documents_go_to_errors_unless_asked(tmp_path, model_file):
    path = tmp_path / "mixed.csv"
    pd.DataFrame({"id": ["a", "a", "b"],
                  "text": ["The council met on Monday. It cut library hours.",
                           "中国外交部发言人表示，美方的指责毫无根据。",
                           "Le ministre doit démissionner immédiatement, a déclaré le syndicat "
                           "lundi après une longue réunion."]}).to_csv(path, index=False)
    opts = {"id_column": "id", "chunk_size": 2}
    result = batch([path], tmp_path / "out", BatchOptions(**opts), model_path=model_file)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert (result.documents, result.errors) == (1, 2)
    assert errors["id"].tolist() == ["a#2", "b"]
    assert errors["reason"].str.startswith("language 'zh'").tolist() == [True, False]
    result = batch([path], tmp_path / "any", BatchOptions(any_language=True, **opts),
                   model_path=model_file)
    documents = pd.read_parquet(tmp_path / "any" / "documents.parquet")
    assert documents["id"].tolist() == ["a", "a#2", "b"] and result.errors == 0


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_parent(tmp_path, model_file):
    """`kill -9` of `framing batch --jobs 2` must not leave its workers running."""
    import signal
    import subprocess
    import time

    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(400):
        (folder / f"{i}.txt").write_text(" ".join(TEXTS) * 20)
    proc = subprocess.Popen([sys.executable, "-m", "framing", "batch", str(folder), "-o",
                             str(tmp_path / "out"), "--jobs", "2", "--chunk-size", "5", "-q",
                             "--model", str(model_file)])
    children = []
    for _ in range(200):  # wait for the forked workers
        time.sleep(0.05)
        children = _children(proc.pid)
        if len(children) >= 2:
            break
    assert len(children) >= 2, "the workers did not start"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(100):
        alive = [pid for pid in children if _alive(pid)]
        if not alive:
            break
        time.sleep(0.05)
    assert not alive, f"workers {alive} outlived their parent"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_python_api_takes_one_path_and_one_column(tmp_path, frame, model_file):
    path = write_input(frame, tmp_path, "csv")
    result = batch(str(path), tmp_path / "out", options(), model_path=model_file)
    assert result.documents == 12
    by_one = summarize(tmp_path / "out", by="outlet")
    assert by_one["outlet"].tolist() == ["A", "B"]


def test_missing_values_and_mixed_dates_are_groups_not_crashes(tmp_path, model_file, capsys):
    path = tmp_path / "m.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d"],
                  "text": ["The ban is unjust.", "Talks resume.", "The council must act.",
                           "The strike ended."],
                  "outlet": ["Daily", None, "Wire", "Daily"],
                  "date": ["2024-01-05", "not a date", "2024-02-03T23:30:00-05:00",
                           "Feb 9, 2024"]}).to_csv(path, index=False)
    batch([path], tmp_path / "out", BatchOptions(id_column="id"), model_path=model_file)
    months = summarize(tmp_path / "out", by=["month"])
    # Value by value, each in its own calendar: 23:30 at -05:00 is still 3 February.
    assert dict(zip(months["month"], months["n_documents"], strict=True)) == {
        "(none)": 1, "2024-01": 1, "2024-02": 2}
    outlets = summarize(tmp_path / "out", by="outlet")
    assert outlets["outlet"].tolist() == ["(none)", "Daily", "Wire"]
    assert main(["report", str(tmp_path / "out"), "-o", str(tmp_path / "r.html"),
                 "--by", "outlet"]) == 0


def test_report_polish(tmp_path, model_file, capsys):
    """Groups in natural order, one title for a single group, no repeated
    syndicated sentence among the examples, and an empty run says so."""
    text = "These baseless claims are politically motivated. Talks resume on Monday."
    rows = [{"id": f"wire:{i}", "outlet": f"paper {i}", "text": text} for i in (1, 2, 10)]
    path = tmp_path / "syndicated.jsonl"
    pd.DataFrame(rows).to_json(path, orient="records", lines=True)
    out = tmp_path / "out"
    batch([path], out, BatchOptions(id_column="id"), model_path=model_file)
    assert summarize(out, by="outlet")["outlet"].tolist() == ["paper 1", "paper 2", "paper 10"]
    assert main(["report", str(out), "-o", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text()
    assert "Label shares, all documents" in html and "Label shares by all" not in html
    assert html.count("These baseless claims are politically motivated.</span>") <= 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "x", "text": "   "}\n')
    batch([empty], tmp_path / "none", BatchOptions(id_column="id"), model_path=model_file)
    assert main(["report", str(tmp_path / "none"), "-o", str(tmp_path / "n.html")]) == 0
    assert "No document of this run was scored" in (tmp_path / "n.html").read_text()


def test_linked_article_views_keep_paragraphs_and_metadata(tmp_path, model_file):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Port Row\nThe union says the authority broke its word.\n\n"
                                  "We call on the council to act.\n")
    batch([folder], tmp_path / "out", BatchOptions(), model_path=model_file)
    assert main(["report", str(tmp_path / "out"), "-o", str(tmp_path / "r.html")]) == 0
    views = sorted((tmp_path / "r_files").glob("article_*.html"))
    html = views[0].read_text()
    article = html.split('class="article">', 1)[1]
    assert article.startswith("Port Row\n")                  # the title line, as written
    assert "</span>\n\n<span" in article                      # the paragraph break, as written
    frame = pd.DataFrame({"id": ["x"], "outlet": ["Daily"], "date": ["2024-03-01"],
                          "text": ["These baseless claims are politically motivated."]})
    frame.to_csv(tmp_path / "m.csv", index=False)
    batch([tmp_path / "m.csv"], tmp_path / "out2", BatchOptions(id_column="id"),
          model_path=model_file)
    assert main(["report", str(tmp_path / "out2"), "-o", str(tmp_path / "s.html")]) == 0
    view = next((tmp_path / "s_files").glob("article_*.html")).read_text()
    assert '<p class="meta">outlet: Daily · date: 2024-03-01</p>' in view
