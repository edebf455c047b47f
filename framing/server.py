"""``framing serve``: a local web page and a JSON API over ``framing score``.

The page takes pasted text or dropped ``.txt``/``.csv``/``.jsonl`` files and
answers with the same article view as ``framing score --format html`` (plain
HTML forms, no script, no external resource, everything escaped), with the
sentence table to download as CSV or JSON Lines and, for two documents or
more, the corpus report (``framing batch`` then ``framing report``, as a ZIP
of the report and its files; grouped by outlet when an uploaded table has an
``outlet`` column, over time when it has a ``date``).  The API:

* ``POST /api/score`` — ``{"text": ...}`` or ``{"documents": [{"id", "text"}]}``
  → the rows and profiles of ``framing score --format json``;
* ``GET /api/health``, ``GET /api/model`` (the model card);
* ``GET /openapi.json`` and ``/docs`` describe it.

Requests over the size limit get 413, more documents than allowed or empty
text 422, each with a ``detail`` saying what to change.  Needs the ``serve``
extra (FastAPI, uvicorn, python-multipart).
"""

from __future__ import annotations

import io
import json
from html import escape

import pandas as pd
from fastapi import FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from framing.errors import FramingError
from framing.html import CSP, article_page, page
from framing.model import load_linear, public_card
from framing.scoring import documents_json, records, score_documents

MAX_BYTES = 2_000_000
MAX_DOCUMENTS = 50
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer"}


class Document(BaseModel):
    id: str | None = Field(default=None, description="Document id (default: its position)")
    text: str = Field(description="The document's text: plain, Markdown or HTML")


class ScoreRequest(BaseModel):
    text: str | None = Field(default=None, description="One document's text")
    documents: list[Document] | None = Field(default=None, description="Several documents")
    explain: bool = Field(default=False, description="Add each sentence's evidence")


class _TooLarge(Exception):
    pass


class LimitBody:
    """ASGI middleware: a request body over *max_bytes* gets 413, whether the
    client says its length or streams it."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self._refuse(send)
        seen = 0
        started = False

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        async def watch(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watch)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps({"detail": f"request body over {self.max_bytes:,} bytes; send "
                                     "fewer or shorter documents (or start framing serve "
                                     "with a larger --max-mb)"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def create_app(model=None, *, max_bytes: int = MAX_BYTES,
               max_documents: int = MAX_DOCUMENTS) -> FastAPI:
    """The application, scoring with *model* (anything ``--model`` takes;
    default: the model ``framing models`` marks)."""
    from framing.registry import resolve

    model_file = resolve(None if model is None else str(model))  # (for the corpus report's batch)
    linear, card = load_linear(model_file)
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("framing")
    except PackageNotFoundError:  # running from a source tree that is not installed
        release = "0"
    app = FastAPI(title="framing", version=release,
                  description="Tag every sentence of news and opinion text with the "
                              "rhetorical act it performs: accusation, defence, "
                              "policy_recommendation or neutral_reporting. Model trained "
                              f"{card.get('trained_at', '(date unknown)')}.")
    app.add_middleware(LimitBody, max_bytes=max_bytes)

    # A body that is not UTF-8 JSON: say so and what to send, instead of
    # FastAPI's "There was an error parsing the body" or a bare "JSON decode error".
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    fix = 'send UTF-8 JSON such as {"text": "..."} or {"documents": [{"id": ..., "text": ...}]}'

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc):
        detail = exc.detail
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = f"the request body cannot be read as JSON; {fix}"
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            where = next(e for e in errors if e.get("type") == "json_invalid")
            error = (where.get("ctx") or {}).get("error", "")
            return JSONResponse({"detail": f"the request body is not valid JSON ({error}); "
                                           f"{fix}"}, status_code=422)
        from fastapi.encoders import jsonable_encoder

        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    def check(items: list[tuple[str, str]]) -> None:
        """The limits every request is held to."""
        if not items:
            raise HTTPException(422, "no documents: give text or documents")
        if len(items) > max_documents:
            raise HTTPException(422, f"{len(items)} documents, over the limit of "
                                     f"{max_documents}; send them in smaller batches")
        for name, text in items:
            if not text.strip():
                raise HTTPException(422, f"document {name!r} is empty; send its text")

    def score(items: list[tuple[str, str]], explain: bool = False):
        check(items)
        try:
            return score_documents(items, linear, explain=explain)
        except FramingError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home():
        return HTMLResponse(form_page(max_bytes, max_documents), headers=SECURITY_HEADERS)

    @app.post("/view", response_class=HTMLResponse, include_in_schema=False)
    async def view(text: str = Form(""), files: list[UploadFile] = File(default_factory=list)):
        documents = [{"id": "pasted text", "text": text}] if text.strip() else []
        for upload in files:
            if upload.filename:
                documents += read_upload(upload.filename, await upload.read())
        items = [(d["id"], d["text"]) for d in documents]
        result = score(items, explain=True)
        sources = {doc: None if "<" in source else source
                   for doc, (_, source) in zip(result.documents["doc"], items, strict=True)}
        body = article_page(result.sentences, sources, documents=result.documents)
        return HTMLResponse(with_downloads(body, documents), headers=SECURITY_HEADERS)

    @app.post("/download", include_in_schema=False)
    def download(payload: str = Form(...), fmt: str = Form("csv")):
        try:
            documents = json.loads(payload)
            items = [(str(d["id"]), d["text"]) for d in documents]
        except (ValueError, KeyError, TypeError):
            raise HTTPException(422, "payload is not a list of {id, text}") from None
        if not all(isinstance(text, str) for _, text in items):
            raise HTTPException(422, "payload: every text must be a string") from None
        if fmt == "report":
            if len(items) < 2:
                raise HTTPException(422, "a corpus report needs two documents or more")
            check(items)
            from framing.report import report_archive

            metadata = [{k: str(v) for k, v in d.items() if k not in ("id", "text")}
                        for d in documents]
            try:
                content = report_archive(items, model_file, title="documents from the page",
                                         metadata=metadata)
            except FramingError as exc:
                raise HTTPException(422, str(exc)) from None
            return Response(content, media_type="application/zip", headers={
                "Content-Disposition": 'attachment; filename="framing-report.zip"'})
        rows = score(items).sentences
        if fmt == "jsonl":
            content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(rows))
            kind, name = "application/x-ndjson", "framing.jsonl"
        elif fmt == "csv":
            content, kind, name = rows.to_csv(index=False), "text/csv", "framing.csv"
        else:
            raise HTTPException(422, f"format {fmt!r}: expected csv, jsonl or report")
        return Response(content, media_type=kind,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/api/score", summary="Score one text or several documents")
    def api_score(request: ScoreRequest):
        """The sentence rows (label, confidence, probabilities, offsets; headings as
        rows of kind `heading`) and the profile of each document, as `framing score
        --format json` prints them."""
        if request.text is not None and request.documents is not None:
            raise HTTPException(422, "give text or documents, not both")
        if request.text is not None:
            items = [("-", request.text)]
        else:
            items = [(d.id if d.id is not None else str(i), d.text)
                     for i, d in enumerate(request.documents or [])]
        result = score(items, explain=request.explain)
        return JSONResponse({**documents_json(result.sentences, result.documents),
                             "warnings": result.warnings})

    @app.get("/api/health", summary="Is the service up, and with which model")
    def health():
        return {"status": "ok", "model_trained_at": card.get("trained_at"),
                "labels": card.get("labels")}

    @app.get("/api/model", summary="The model card")
    def model_card():
        return public_card(card)

    return app


def read_upload(name: str, data: bytes) -> list[dict]:
    """Documents of an uploaded file as ``{"id", "text", ...}``: a .txt (or
    .html/.md) is one; a .csv or .jsonl has one per row, text in a `text`
    column, id in `id` if present, the other columns (outlet, date ...) kept
    for the corpus report."""
    from framing.scoring import decode_text

    lower = name.lower()
    try:
        if lower.endswith((".csv", ".jsonl", ".ndjson")):
            stream = io.BytesIO(data)
            frame = (pd.read_csv(stream, dtype=str, keep_default_na=False,
                                 encoding="utf-8-sig") if lower.endswith(".csv")
                     else pd.read_json(stream, lines=True, dtype=False))
            if "text" not in frame.columns:
                raise HTTPException(422, f"{name}: no 'text' column; its columns are "
                                         f"{', '.join(map(str, frame.columns))}")
            ids = frame["id"].astype(str) if "id" in frame.columns else \
                [f"{name}:{i + 1}" for i in range(len(frame))]
            extra = frame.drop(columns=[c for c in ("id", "text") if c in frame.columns])
            return [{**{str(k): str(v) for k, v in more.items()}, "id": str(i), "text": str(t)}
                    for i, t, more in zip(ids, frame["text"], extra.to_dict("records"),
                                          strict=True)]
        return [{"id": name, "text": decode_text(data, name)}]
    except FramingError as exc:
        raise HTTPException(422, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, f"{name}: cannot be read ({exc})") from None


def form_page(max_bytes: int, max_documents: int) -> str:
    body = (
        "<h1>framing</h1>"
        "<p>Paste an article or choose files; every sentence comes back labelled "
        "<b>accusation</b>, <b>defence</b>, <b>policy recommendation</b> or "
        "<b>neutral reporting</b>, with the evidence on hover. Nothing leaves this "
        "machine.</p>"
        '<form method="post" action="/view" enctype="multipart/form-data">'
        '<p><label for="text">Text (plain, Markdown or HTML)</label><br>'
        '<textarea id="text" name="text" rows="16" style="width:100%"></textarea></p>'
        '<p><label for="files">or files (.txt, .csv or .jsonl with a <code>text</code> '
        'column)</label><br><input id="files" name="files" type="file" multiple '
        'accept=".txt,.md,.html,.csv,.jsonl"></p>'
        '<p><button type="submit">Label the sentences</button></p></form>'
        f"<p class=\"note\">Up to {max_documents} documents and {max_bytes // 1_000_000} MB "
        "a request. The model reads English.</p>")
    return page("framing", body)


def with_downloads(html_page: str, documents: list[dict]) -> str:
    payload = escape(json.dumps(documents))
    from importlib.util import find_spec

    kinds = [("csv", "CSV"), ("jsonl", "JSON Lines")]
    missing = ""
    if len(documents) >= 2:
        if find_spec("matplotlib") is not None:
            kinds.append(("report", "the corpus report (ZIP)"))
        else:  # the report draws charts: say how to get it rather than fail on the click
            missing = (' · <span class="note">corpus report: <code>pip install '
                       '"framing[report]"</code></span>')
    forms = "".join(
        f'<form method="post" action="/download" style="display:inline">'
        f'<input type="hidden" name="payload" value="{payload}">'
        f'<input type="hidden" name="fmt" value="{fmt}">'
        f'<button type="submit">Download {label}</button></form> '
        for fmt, label in kinds)
    bar = f'<nav class="downloads"><a href="/">New text</a> · {forms}{missing}</nav>'
    return html_page.replace("<body>", f"<body>{bar}", 1)

