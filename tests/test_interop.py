"""Label Studio, doccano and Prodigy: suggest's tasks out, the tools' exports
back in, round trips on files written in each tool's documented format."""

import json

import pandas as pd
import pytest

from framing.active import suggest
from framing.cli import main
from framing.dataset import training_table
from framing.interop import LABEL_STUDIO_CONFIG, read_annotations, write_tasks
from framing.labels import LABELS, read_labels

ARTICLE = ("The council must freeze the fees. The authority has never overcharged anyone. "
           "Critics said the fees were unfair. Why did the authority hide its figures?\n")


@pytest.fixture
def todo(tmp_path, pipeline):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text(ARTICLE)
    return suggest([folder], 10, model=pipeline, per_document=10), folder


def label_as_the_tool_would(tool: str, tasks_text: str) -> str:
    """The export each tool documents, with every task labelled (the first
    label in LABELS order for even tasks, the last for odd ones; one task
    skipped, rejected or cancelled to check those are ignored)."""
    def choice(i):
        return LABELS[0] if i % 2 == 0 else LABELS[-1]

    if tool == "label-studio":
        tasks = json.loads(tasks_text)
        for i, task in enumerate(tasks):
            task["id"] = i + 1
            task["annotations"] = [{"id": 100 + i, "was_cancelled": i == 1, "result": [
                {"from_name": "act", "to_name": "text", "type": "choices",
                 "value": {"choices": [choice(i)]}}]}]
        return json.dumps(tasks)
    lines = [json.loads(line) for line in tasks_text.splitlines()]
    for i, line in enumerate(lines):
        if tool == "doccano":
            line.update({"id": i + 1, "label": [] if i == 1 else [choice(i)]})
        else:  # prodigy's choice interface
            line.update({"accept": [choice(i)], "answer": "reject" if i == 1 else "accept",
                         "_input_hash": i, "_task_hash": i})
    return "".join(json.dumps(line) + "\n" for line in lines)


@pytest.mark.parametrize(("tool", "suffix"), [("label-studio", ".json"), ("doccano", ".jsonl"),
                                              ("prodigy", ".jsonl")])
def test_round_trip(todo, tmp_path, tool, suffix):
    table, folder = todo
    tasks = write_tasks(table, tool)
    labels = tmp_path / "labels"
    labels.mkdir()
    export = labels / f"export{suffix}"
    export.write_text(label_as_the_tool_would(tool, tasks))
    documents = {"one": (folder / "one.txt").read_text()}
    back = read_labels([labels], documents)  # spans checked against the article
    expected = table.drop(index=table.index[1]).reset_index(drop=True)
    assert sorted(back["text"]) == sorted(expected["text"])
    assert set(back["document"]) == {"one"}
    for row in back.itertuples():
        assert documents["one"][row.start:row.end] == row.text
    assert set(back["label"]) <= {LABELS[0], LABELS[-1]}
    # And training reads the export with its article around each sentence.
    train = training_table([labels], [folder])
    assert len(train) == len(back)


def test_label_studio_tasks_carry_the_guess_and_a_config(todo):
    table, _ = todo
    tasks = json.loads(write_tasks(table, "label-studio"))
    assert tasks[0]["data"]["text"] == table["text"].iloc[0]
    assert tasks[0]["predictions"][0]["result"][0]["value"]["choices"] == [table["guess"].iloc[0]]
    assert all(f'<Choice value="{label}"' in LABEL_STUDIO_CONFIG for label in LABELS)


def test_suggest_for_a_tool_on_the_command_line(tmp_path, capsys, model_file, todo):
    _, folder = todo
    out = tmp_path / "tasks.json"
    assert main(["suggest", str(folder), "--for", "label-studio", "-o", str(out), "-n", "3",
                 "--model", str(model_file), "--labels", str(tmp_path / "none")]) == 0
    assert len(json.loads(out.read_text())) == 3 and out.with_suffix(".xml").exists()
    assert "label-studio tasks written" in capsys.readouterr().err


def test_a_broken_export_is_reported_where_it_breaks(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a", "label": ["accusation"]}\n{not json\n')
    with pytest.raises(Exception, match=r"bad.jsonl:2: not JSON"):
        read_annotations(path)
    path.write_text('{"text": "The ban is unjust.", "label": ["acusation"]}\n')
    with pytest.raises(Exception, match="did you mean 'accusation'"):
        read_labels([path])
    assert isinstance(read_annotations(path), pd.DataFrame)
