"""The retraining loop: suggest, label (via stdin), agree, model versions, skops."""

import contextlib
import fractions
import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import framing
from framing.active import suggest
from framing.agreement import agree
from framing.annotate import session
from framing.cli import main
from framing.errors import ModelError
from framing.model import load_model, predict_proba
from framing.registry import archive, export_skops, list_models, resolve

ARTICLE = ("The council must freeze the fees. The authority has never overcharged anyone. "
           "Critics said the fees were unfair. Why did the authority hide its figures? "
           "The fees rose in May. The fees rose in May again.\n")


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "one.txt").write_text(ARTICLE)
    (folder / "two.txt").write_text("Lift the ban now. The ban began in 2020. "
                                    "Officials said the ban would stay.\n")
    return folder


def test_suggest_spreads_over_documents_and_skips_near_duplicates(articles, pipeline):
    table = suggest([articles], 10, model=pipeline, per_document=3,
                    labelled=["Officials said the ban would stay."])
    assert table["document"].value_counts().max() <= 3
    assert "Officials said the ban would stay." not in set(table["text"])
    assert not ({"The fees rose in May.", "The fees rose in May again."} <= set(table["text"]))
    assert table["margin"].is_monotonic_increasing
    assert (table["label"] == "").all()
    row = table[table["text"] == "The authority has never overcharged anyone."]
    if len(row):
        assert row.iloc[0]["prev"] == "The council must freeze the fees."
    assert set(table["source"]) <= {str(articles / "one.txt"), str(articles / "two.txt")}


def test_suggest_refuses_corpora_it_cannot_read(tmp_path, pipeline):
    from framing.errors import InputError

    corpus = tmp_path / "articles.csv"
    corpus.write_text("text\nLift the ban.\n")
    with pytest.raises(InputError, match="score this corpus first: framing batch"):
        suggest([corpus], 5, model=pipeline)


def fake_io(answers):
    feed = iter(answers)
    shown = []
    return dict(read_key=lambda: next(feed, ""), read_line=lambda prompt: next(feed, ""),
                show=shown.append), shown


def todo_rows():
    return pd.DataFrame({"document": ["d"] * 3, "sentence": ["0", "1", "2"],
                         "start": ["0", "10", "20"], "end": ["9", "19", "29"],
                         "text": ["First one.", "Second one.", "Third one."],
                         "guess": ["accusation"] * 3, "confidence": ["0.5"] * 3})


def test_label_session_undo_note_quit_and_resume(tmp_path):
    out = tmp_path / "answers.csv"
    io_, shown = fake_io(["a", "n", "u", "c", "sounds defensive", "d", "x", "q"])
    counts = session(todo_rows(), out, **io_)
    assert counts == {"labelled": 2, "skipped": 0, "undone": 1, "remaining": 1}
    answers = pd.read_csv(out, keep_default_na=False)
    assert answers["label"].tolist() == ["accusation", "defence"]
    assert answers["note"].tolist() == ["", "sounds defensive"]
    assert any("model guess: accusation (0.50)" in line for line in shown)
    assert any(line.startswith("  keys:") for line in shown)  # 'x' shows the help
    io_, shown = fake_io(["p"])
    counts = session(todo_rows(), out, **io_)
    assert shown[0].startswith("1 of 3 sentences to label")
    # Long sentences, definitions and the key help wrap between words at 80 columns.
    long = "The ministry rejects these wholly baseless and politically motivated claims " * 3
    io_, shown = fake_io(["x", "q"])
    session(todo_rows().assign(text=long.strip(), prev=long, next=long), tmp_path / "b.csv",
            **io_)
    lines = "\n".join(shown).splitlines()
    assert max(map(len, lines)) <= 80
    assert " ".join("\n".join(shown).split()).count(" ".join(long.split())) == 3
    assert pd.read_csv(out)["label"].tolist() == ["accusation", "defence",
                                                  "policy_recommendation"]


def test_undo_after_a_skip_takes_back_the_skip_not_the_label_before(tmp_path):
    out = tmp_path / "answers.csv"
    io_, shown = fake_io(["a", "s", "u", "d", "q"])
    counts = session(todo_rows(), out, **io_)
    assert counts == {"labelled": 2, "skipped": 0, "undone": 1, "remaining": 1}
    answers = pd.read_csv(out, keep_default_na=False)
    assert answers["label"].tolist() == ["accusation", "defence"]
    assert answers["sentence"].tolist() == [0, 1]


def test_label_cli_with_piped_stdin(tmp_path, monkeypatch, capsys, articles, model_file):
    out = tmp_path / "mine.csv"
    monkeypatch.setattr(sys, "stdin", io.StringIO("p\nd\ns\nq\n"))
    code = main(["label", str(articles / "one.txt"), "-o", str(out),
                 "--model", str(model_file)])
    assert code == 0
    assert "2 labelled, 1 skipped, 3 left" in capsys.readouterr().err
    rows = pd.read_csv(out, keep_default_na=False)
    assert rows["label"].tolist() == ["policy_recommendation", "defence"]
    assert rows["source"].tolist() == ["new/one.txt"] * 2
    assert ARTICLE[rows["start"][1]:rows["end"][1]] == rows["text"][1]


def test_labelled_article_feeds_training(tmp_path, monkeypatch, capsys, articles, model_file):
    from framing.dataset import training_table

    labels = tmp_path / "labels"
    labels.mkdir()
    monkeypatch.setattr(sys, "stdin", io.StringIO("p\nd\nn\na\n"))
    main(["label", str(articles / "one.txt"), "-o", str(labels / "mine.csv"),
          "--model", str(model_file)])
    table = training_table([labels], [tmp_path / "nowhere"])
    assert table["label"].tolist() == ["policy_recommendation", "defence",
                                       "neutral_reporting", "accusation"]


def test_agreement_known_values(tmp_path):
    header = "document,sentence,start,end,text,label\n"
    rows = [("d", 0, 0, 5, "A b c", "accusation"), ("d", 1, 6, 11, "D e f", "defence"),
            ("d", 2, 12, 17, "G h i", "neutral_reporting"),
            ("d", 3, 18, 23, "J k l", "neutral_reporting")]
    a, b, c = (tmp_path / f"{n}.csv" for n in "abc")
    a.write_text(header + "".join(",".join(map(str, r)) + "\n" for r in rows))
    flipped = [r[:5] + (("accusation",) if i == 1 else r[5:]) for i, r in enumerate(rows)]
    b.write_text(header + "".join(",".join(map(str, r)) + "\n" for r in flipped))
    c.write_text(a.read_text())
    two = agree([a, b])
    assert two["n_sentences"] == 4 and two["raw_agreement"] == 0.75
    # Cohen's kappa by hand: po = 0.75, pe = (1·2 + 1·0 + 2·2)/16 = 0.375
    assert two["cohen_kappa"] == pytest.approx((0.75 - 0.375) / (1 - 0.375))
    assert two["confusion"]["matrix"][1] == [1, 0, 0, 0]
    assert two["disagreements"][0]["text"] == "D e f"
    three = agree([a, b, c])
    assert set(three["pairwise_kappa"]) == {f"{a} ~ {b}", f"{a} ~ {c}", f"{b} ~ {c}"}
    assert three["pairwise_kappa"][f"{a} ~ {c}"] == 1.0
    assert 0 < three["krippendorff_alpha"] < 1
    # As people read it: two files are "both", and long paths still fit 80 columns.
    long_a, long_b = (tmp_path / f"annotator_{n}_with_a_long_name_for_this_round.csv"
                      for n in "ab")
    long_a.write_text(a.read_text())
    long_b.write_text(b.read_text())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["agree", str(long_a), str(long_b)]) == 0
    assert out.getvalue().startswith("4 sentences labelled in both files (matched by span)\n")
    assert max(map(len, out.getvalue().splitlines())) <= 80


def test_train_keeps_previous_versions_and_models_lists_them(tmp_path, pipeline, model_file):
    models = tmp_path / "models"
    models.mkdir()
    current = models / "framing.joblib"
    for trained_at in ("2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"):
        kept = archive(current)
        card = {"format": 1, "labels": ["accusation", "defence", "policy_recommendation",
                                        "neutral_reporting"], "trained_at": trained_at,
                "metrics": {"by_topic": {"macro_f1": 0.5}}}
        from framing.model import save_model

        save_model(pipeline, card, current)
    assert kept == models / "versions" / "framing-20260101T000000.joblib"
    table = list_models(models)
    assert table["name"].tolist() == ["framing", "framing-20260101T000000", "installed"]
    assert table["current"].tolist() == ["", "", "*"]  # not the user's model folder
    assert resolve("20260101", models) == kept
    with pytest.raises(ModelError, match="no model called 'nope'"):
        resolve("nope", models)


def test_skops_export_round_trip_and_foreign_types_refused(tmp_path, pipeline, table):
    import skops.io as sio

    card = {"format": 1, "labels": ["accusation", "defence", "policy_recommendation",
                                    "neutral_reporting"], "training_texts": ["x"]}
    path = export_skops(pipeline, card, tmp_path / "m.skops")
    loaded, loaded_card = load_model(path)
    pd.testing.assert_frame_equal(predict_proba(loaded, table), predict_proba(pipeline, table))
    assert "training_texts" not in loaded_card
    evil = tmp_path / "evil.skops"
    sio.dump({"pipeline": pipeline, "card": card, "x": fractions.Fraction(1, 3)}, evil)
    with pytest.raises(ModelError, match=r"does not trust \(fractions.Fraction\)"):
        load_model(evil)
    with pytest.raises(ModelError, match="exists; pass --force"):
        export_skops(pipeline, card, path)


def test_models_and_export_commands(tmp_path, capsys, model_file, monkeypatch, model_home):
    monkeypatch.chdir(tmp_path)
    assert main(["models", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(m["name"], m["current"]) for m in listed] == [("installed", "*")]
    code = main(["export", "--model", str(model_file), "-o", "out.skops"])
    assert code == 0 and (tmp_path / "out.skops").exists()
    code = main(["export", "--model", str(model_file), "-o", "out.pkl"])
    assert code == 1 and "must end in .skops" in capsys.readouterr().err
    model_home.mkdir(parents=True)
    (model_home / "framing.joblib").write_bytes(model_file.read_bytes())
    (model_home / "framing.json").write_text(json.dumps({"trained_at": "x"}))
    assert main(["models", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(m["name"], m["current"]) for m in listed] == [("framing", "*"), ("installed", "")]


def test_one_rule_picks_the_model_everywhere(tmp_path, monkeypatch, model_home, model_file,
                                             pipeline):
    """--model, then FRAMING_MODEL, then your trained model, then the installed one."""
    from framing.model import default_model_path, save_model
    from framing.registry import current_model_path
    from framing.scoring import score_text

    installed = default_model_path()
    assert current_model_path() == installed == resolve("installed")
    save_model(pipeline, {"format": 1, "labels": list(framing.LABELS)},
               model_home / "framing.joblib")
    assert current_model_path() == model_home / "framing.joblib" == resolve("current")
    assert resolve("framing") == model_home / "framing.joblib"
    assert (model_home / "framing.joblib").stat().st_mode & 0o044  # readable, not 0600
    # The Python API and the CLI both use it: the tiny model labels its own sentence.
    text = "The ministry rejects these baseless allegations."
    assert score_text(text)["label"].tolist() == ["accusation"]
    monkeypatch.setenv("FRAMING_MODEL", "installed")
    assert current_model_path() == installed
    monkeypatch.setenv("FRAMING_MODEL", str(model_file))
    assert current_model_path() == model_file
    monkeypatch.setenv("FRAMING_MODEL", "nope")
    with pytest.raises(ModelError, match="no model called 'nope'"):
        current_model_path()


def test_train_writes_the_model_every_command_then_uses(tmp_path, capsys, monkeypatch,
                                                        model_home):
    from test_cli import tiny_project

    from framing.model import load_model

    monkeypatch.chdir(tmp_path)
    docs = tiny_project(tmp_path)
    assert main(["train", "--no-eval", "--documents", str(docs)]) == 0
    capsys.readouterr()
    trained = model_home / "framing.joblib"
    assert trained.exists() and (model_home / "MODEL_CARD.md").exists()
    assert main(["models", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert (listed[0]["name"], listed[0]["current"]) == ("framing", "*")
    article = tmp_path / "a.txt"
    article.write_text("The ministry rejects these baseless allegations. Talks resume.")
    assert main(["score", str(article), "--format", "json"]) == 0
    scored = json.loads(capsys.readouterr().out)["documents"][0]["sentences"]
    expected = framing.score_text(article.read_text(), load_model(trained))
    assert [round(r["p_accusation"], 6) for r in scored] == \
        [round(p, 6) for p in expected["p_accusation"]]


def test_suggest_on_a_batch_output_keeps_each_sentences_document(articles, tmp_path, pipeline,
                                                                 model_file):
    out = tmp_path / "out"
    assert main(["batch", str(articles), "-o", str(out), "-q", "--model", str(model_file)]) == 0
    table = suggest([out], 10, model=pipeline)
    assert len(table) and set(table["source"]) <= {str((articles / "one.txt").resolve()),
                                                    str((articles / "two.txt").resolve())}
    assert (table["source"] != "").all()


def test_suggest_finds_documents_of_a_batch_run_from_another_folder(articles, tmp_path,
                                                                    pipeline, model_file,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)  # batch over a relative path ...
    assert main(["batch", "new", "-o", "out", "-q", "--model", str(model_file)]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # ... and suggest from another folder
    table = suggest([tmp_path / "out"], 10, model=pipeline)
    assert set(table["source"]) <= {str((articles / "one.txt").resolve()),
                                    str((articles / "two.txt").resolve())}
    assert all(Path(s).exists() for s in table["source"])


def test_agreement_by_text_counts_repeated_and_conflicting_texts(tmp_path, caplog):
    from framing.agreement import agree

    header = "document,sentence,start,end,text,label\n"
    (tmp_path / "a.csv").write_text(header + "d1,0,0,10,Same text.,accusation\n"
                                    "d2,0,0,10,Same text.,neutral_reporting\n"
                                    "d3,0,0,10,Other one.,defence\n"
                                    "d4,0,0,10,Third one.,defence\n")
    (tmp_path / "b.csv").write_text(header + "d1,0,0,10,Same text.,accusation\n"
                                    "d2,0,0,10,Same text.,accusation\n"
                                    "d3,0,0,10,Other one.,defence\n"
                                    "d4,0,0,10,Third one.,accusation\n")
    with caplog.at_level("WARNING", logger="framing"):
        result = agree([tmp_path / "a.csv", tmp_path / "b.csv"], by="text")
    assert result["n_sentences"] == 2  # "Same text." is labelled in two ways in a.csv
    assert "1 text labelled in two ways is left out" in caplog.text
    assert "b.csv: 2 labelled sentences repeat a text of the file; each text counts once" \
        in caplog.text
