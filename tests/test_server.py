"""framing serve over HTTP (in-process): status codes, limits, bad input, escaping."""

import json

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
from fastapi.testclient import TestClient  # noqa: E402

from framing.server import create_app  # noqa: E402

TEXT = ("Harbour Authority Rejects Claims\n"
        "These baseless claims are politically motivated. <script>window.pwned = 1</script>\n"
        "We call on the council to freeze the fees.\n")


@pytest.fixture(scope="module")
def client(model_file):
    return TestClient(create_app(model_file, max_bytes=20_000, max_documents=3))


def test_health_model_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    card = client.get("/api/model").json()
    assert card["labels"] == ["accusation", "defence", "policy_recommendation",
                              "neutral_reporting"]
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/score", "/api/health", "/api/model"} <= set(paths)


def test_api_score_matches_the_command_line(client, model_file, capsys, tmp_path):
    from framing.cli import main

    response = client.post("/api/score", json={"text": TEXT})
    assert response.status_code == 200
    article = tmp_path / "a.txt"
    article.write_text(TEXT)
    assert main(["score", str(article), "--format", "json", "--model", str(model_file)]) == 0
    cli = json.loads(capsys.readouterr().out)["documents"][0]
    served = response.json()["documents"][0]
    assert served["sentences"] == [dict(r, doc="-") for r in cli["sentences"]]
    assert served["profile"] == dict(cli["profile"], doc="-")
    kinds = [r["kind"] for r in served["sentences"]]
    assert kinds == ["heading", "sentence", "sentence", "sentence"]


def test_several_documents_and_their_ids(client):
    response = client.post("/api/score", json={"documents": [
        {"id": "a", "text": "The ban is unjust."}, {"text": "Talks resume."}]})
    assert response.status_code == 200
    assert [d["doc"] for d in response.json()["documents"]] == ["a", "1"]


@pytest.mark.parametrize(("body", "status", "detail"), [
    ({"text": "   "}, 422, "is empty"),
    ({"documents": []}, 422, "no documents"),
    ({"documents": [{"text": "A."}] * 4}, 422, "over the limit of 3"),
    ({"text": "A.", "documents": [{"text": "B."}]}, 422, "not both"),
    ({"text": "x" * 30_000}, 413, "over 20,000 bytes"),
])
def test_bad_requests_say_what_to_change(client, body, status, detail):
    response = client.post("/api/score", json=body)
    assert response.status_code == status
    assert detail in json.dumps(response.json()["detail"])


@pytest.mark.parametrize(("raw", "status"), [(b"{not json", 422), (b"", 422),
                                             (b"\xff\xfe\x00", 400)])  # not UTF-8
def test_malformed_bodies_are_refused_with_a_detail(client, raw, status):
    response = client.post("/api/score", content=raw,
                           headers={"content-type": "application/json"})
    assert response.status_code == status and response.json()["detail"]


def test_page_escapes_the_article_and_forbids_network(client):
    home = client.get("/")
    assert home.status_code == 200 and "<textarea" in home.text
    assert home.headers["content-security-policy"].startswith("default-src 'none'")
    view = client.post("/view", data={"text": TEXT})
    assert view.status_code == 200
    assert "<script>window.pwned" not in view.text
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in view.text
    assert view.text.count('data-label="') == 3 and "not scored" in view.text
    assert "http://" not in view.text and "https://" not in view.text


def test_uploads_and_downloads(client):
    files = [("files", ("a.txt", b"The ban is unjust. Talks resume.", "text/plain")),
             ("files", ("b.csv", b"id,text\nx,The council must act.\n", "text/csv"))]
    view = client.post("/view", files=files)
    assert view.status_code == 200 and "<h1>a.txt</h1>" in view.text and "<h1>x</h1>" in view.text
    bad = client.post("/view", files=[("files", ("c.csv", b"body\nhello\n", "text/csv"))])
    assert bad.status_code == 422 and "no 'text' column" in bad.json()["detail"]
    payload = json.dumps([{"id": "a", "text": "The ban is unjust. Talks resume."}])
    csv = client.post("/download", data={"payload": payload, "fmt": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("doc,sentence,kind,start,end,text,label")
    jsonl = client.post("/download", data={"payload": payload, "fmt": "jsonl"})
    assert [json.loads(line)["text"] for line in jsonl.text.splitlines()] == [
        "The ban is unjust.", "Talks resume."]
    assert "Download the corpus report" not in client.post("/view", files=files[:1]).text


def test_corpus_report_of_several_documents(client, monkeypatch):
    """Two documents or more: the page offers the corpus report, a ZIP of the
    report and its article views, grouped by an uploaded table's outlet."""
    import io
    import zipfile

    pytest.importorskip("matplotlib", reason="the report extra is not installed")
    table = (b"id,outlet,date,text\n"
             b"x,Daily,2024-03-01,These baseless claims are politically motivated.\n"
             b"y,Wire,2024-04-02,The council must freeze the fees. Talks resume.\n")
    view = client.post("/view", files=[("files", ("t.csv", table, "text/csv"))])
    assert view.status_code == 200 and "Download the corpus report (ZIP)" in view.text
    import html
    import re

    # What the page's report button sends: the documents with their columns.
    payload = html.unescape(re.search(r'name="payload" value="([^"]*)"', view.text).group(1))
    assert json.loads(payload)[0] == {"outlet": "Daily", "date": "2024-03-01", "id": "x",
                                      "text": "These baseless claims are politically motivated."}
    response = client.post("/download", data={"payload": payload, "fmt": "report"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "framing-report/report.html" in names
    report = archive.read("framing-report/report.html").decode()
    assert "framing corpus report: documents from the page" in report
    assert "Label shares by outlet" in report and "/tmp" not in report
    views = [n for n in names if n.startswith("framing-report/report_files/article_")]
    assert len(views) == 2 and all(n.split("/", 1)[1] in report for n in views)
    import importlib.util

    real_find_spec = importlib.util.find_spec
    # Without the report extra the page says how to get it.
    with monkeypatch.context() as patch:
        patch.setattr(importlib.util, "find_spec",
                      lambda name: None if name == "matplotlib" else real_find_spec(name))
        page = client.post("/view", files=[("files", ("t.csv", table, "text/csv"))]).text
    assert "Download the corpus report" not in page
    assert 'corpus report: <code>pip install "framing[report]"</code>' in page
    one = json.dumps([{"id": "x", "text": "Talks resume."}])
    refused = client.post("/download", data={"payload": one, "fmt": "report"})
    assert refused.status_code == 422 and "two documents or more" in refused.json()["detail"]


def test_a_download_payload_with_a_non_text_value_is_a_422(client):
    response = client.post("/download", data={"payload": '[{"id": "a", "text": 5}]',
                                               "fmt": "csv"})
    assert response.status_code == 422
    assert response.json()["detail"] == "payload: every text must be a string"


def test_a_body_that_is_not_utf8_json_is_told_what_to_send(client):
    for body in (b'{"text": "caf\xe9 closed."}', b'{"text": "unclosed'):
        response = client.post("/api/score", content=body,
                               headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 422)
        detail = response.json()["detail"]
        assert isinstance(detail, str) and 'send UTF-8 JSON such as {"text": "..."}' in detail
    response = client.post("/api/score", json={"text": ""})
    assert response.status_code == 422  # other errors keep their detail
