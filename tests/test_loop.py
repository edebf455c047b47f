"""The retraining loop: suggest, label (via stdin), agree, model versions, skops."""

import fractions
import io
import json
import sys

import pandas as pd
import pytest

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
    assert pd.read_csv(out)["label"].tolist() == ["accusation", "defence",
                                                  "policy_recommendation"]


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
    assert table["name"].tolist() == ["current", "framing-20260101T000000"]
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


def test_models_and_export_commands(tmp_path, capsys, model_file, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["models", "--format", "json"])
    assert code == 1 and "no models in models" in capsys.readouterr().err
    code = main(["export", "--model", str(model_file), "-o", "out.skops"])
    assert code == 0 and (tmp_path / "out.skops").exists()
    code = main(["export", "--model", str(model_file), "-o", "out.pkl"])
    assert code == 1 and "must end in .skops" in capsys.readouterr().err
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "framing.joblib").write_bytes(model_file.read_bytes())
    (tmp_path / "models" / "framing.json").write_text(json.dumps({"trained_at": "x"}))
    assert main(["models", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "current"
