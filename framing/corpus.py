"""Read corpora (folders of .txt, CSV/TSV, JSON Lines, Parquet; plain or gzip)
and batch-score them, streaming, in parallel, resumably.

A run reads its inputs as a stream of fixed-size chunks of documents (so
chunk numbers are deterministic), scores each chunk in a worker (joblib
locally, Dask on a cluster), and writes the chunk's rows as part files
(write, then rename) under ``OUT/parts/``.  Running the same command again
skips the chunks whose parts exist.  At the end the parts are merged, in
chunk order, into the final outputs, so an interrupted-then-resumed run
produces exactly the files an uninterrupted one does.

Outputs: ``sentences.parquet`` (one row per sentence), ``documents.parquet``
and ``documents.csv`` (one row per document), ``errors.csv`` (documents that
could not be scored, with the reason) and ``run.json`` (model, inputs,
options, counts, timings).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framing.errors import FramingError, InputError
from framing.labels import LABELS
from framing.scoring import SENTENCE_COLUMNS, profile, score_texts

FORMATS = ("txt", "csv", "tsv", "jsonl", "parquet")
DEFAULT_CHUNK = 500
DEFAULT_MAX_CHARS = 1_000_000
ERROR_COLUMNS = ("input", "id", "reason")
RUN_FILE = "run.json"


class RunError(FramingError):
    """The output folder belongs to a different run, or cannot be used."""


@dataclass(frozen=True)
class Source:
    """One input: a path, its format and whether it is gzip-compressed."""

    path: str
    format: str
    gzip: bool = False


@dataclass
class BatchOptions:
    text_column: str = "text"
    id_column: str | None = None
    chunk_size: int = DEFAULT_CHUNK
    max_chars: int = DEFAULT_MAX_CHARS
    jobs: int = 1
    engine: str = "local"
    scheduler: str | None = None
    force: bool = False


@dataclass
class BatchResult:
    out: Path
    documents: int = 0
    sentences: int = 0
    errors: int = 0
    chunks: int = 0
    resumed_chunks: int = 0
    seconds: float = 0.0
    metadata_columns: list[str] = field(default_factory=list)


# --- inputs --------------------------------------------------------------------------

def detect_source(path: str | Path) -> Source:
    """Work out an input's format from its name; raise ``InputError`` if unknown."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return Source(str(path), "txt")
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    for suffix, fmt in ((".csv", "csv"), (".tsv", "tsv"), (".jsonl", "jsonl"),
                        (".ndjson", "jsonl"), (".parquet", "parquet"), (".txt", "txt")):
        if name.endswith(suffix):
            if fmt == "parquet" and compressed:
                break
            return Source(str(path), fmt, compressed)
    raise InputError(f"{path}: unknown input format; use a folder of .txt files, .csv, .tsv, "
                     ".jsonl or .parquet (optionally .gz, except Parquet)")


def _open_text(source: Source):
    if source.gzip:
        return io.TextIOWrapper(gzip.open(source.path, "rb"), encoding="utf-8", newline="")
    return open(source.path, encoding="utf-8", newline="")


def columns_of(source: Source) -> list[str]:
    """The columns an input offers (checked before any work)."""
    try:
        if source.format in ("csv", "tsv"):
            with _open_text(source) as fh:
                header = next(csv.reader(fh, delimiter="," if source.format == "csv" else "\t"),
                              None)
            return header or []
        if source.format == "jsonl":
            with _open_text(source) as fh:
                for line in fh:
                    if line.strip():
                        return list(json.loads(line))
            return []
        if source.format == "parquet":
            return list(pq.ParquetFile(source.path).schema_arrow.names)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, pa.ArrowException,
            csv.Error) as exc:
        raise InputError(f"{source.path}: cannot be read as {source.format} "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from None
    return ["text"]  # a folder of .txt files or a single .txt


def check_sources(sources: list[Source], options: BatchOptions) -> list[str]:
    """Check every input before any work; return the metadata columns carried through."""
    metadata: list[str] = []
    for source in sources:
        if source.format == "txt":
            extra = ["path"]
        else:
            cols = columns_of(source)
            missing = [c for c in (options.text_column, options.id_column) if c and c not in cols]
            if missing:
                raise InputError(
                    f"{source.path}: no column {missing[0]!r}; its columns are "
                    f"{', '.join(cols[:20])}; choose with --text-column / --id-column")
            extra = [c for c in cols if c not in (options.text_column, options.id_column)]
        metadata.extend(c for c in extra if c not in metadata)
    return metadata


def iter_documents(source: Source, options: BatchOptions) -> Iterator[dict]:
    """Yield ``{"id", "text" | "error", "input", **metadata}`` for every document."""
    if source.format == "txt":
        yield from _iter_txt(source)
        return
    for frame in _iter_frames(source, options):
        text_col, id_col = options.text_column, options.id_column
        meta_cols = [c for c in frame.columns if c not in (text_col, id_col)]
        offset = frame.attrs.get("offset", 0)
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            record = dict(zip(frame.columns, row, strict=True))
            doc_id = record.get(id_col) if id_col else None
            if doc_id is None or (isinstance(doc_id, float) and pd.isna(doc_id)):
                doc_id = f"{Path(source.path).name}:{offset + i + 1}"
            out = {"id": str(doc_id), "input": source.path}
            out.update({c: _plain(record[c]) for c in meta_cols})
            text = record.get(text_col)
            if text is None or (isinstance(text, float) and pd.isna(text)):
                out["error"] = f"missing value in text column {text_col!r}"
            elif not isinstance(text, str):
                out["error"] = f"text column {text_col!r} holds {type(text).__name__}, not text"
            else:
                out["text"] = text
            yield out


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def _iter_txt(source: Source) -> Iterator[dict]:
    root = Path(source.path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*.txt") if p.is_file())
    for path in files:
        doc_id = path.stem if root.is_file() else str(path.relative_to(root).with_suffix(""))
        out = {"id": doc_id, "input": source.path, "path": str(path)}
        try:
            raw = path.read_bytes()
        except OSError as exc:
            out["error"] = f"cannot be read ({exc.strerror})"
            yield out
            continue
        if b"\x00" in raw:
            out["error"] = "binary file, not text"
        else:
            try:
                out["text"] = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                out["error"] = f"not valid UTF-8 (byte {exc.start})"
        yield out


def _iter_frames(source: Source, options: BatchOptions) -> Iterator[pd.DataFrame]:
    size = max(options.chunk_size, 1000)
    offset = 0
    if source.format == "parquet":
        for batch in pq.ParquetFile(source.path).iter_batches(batch_size=size):
            frame = batch.to_pandas()
            frame.attrs["offset"] = offset
            offset += len(frame)
            yield frame
        return
    with _open_text(source) as fh:
        if source.format == "jsonl":
            reader = pd.read_json(fh, lines=True, chunksize=size, dtype=False)
        else:
            reader = pd.read_csv(fh, sep="," if source.format == "csv" else "\t",
                                 chunksize=size, dtype=str, keep_default_na=False,
                                 na_values=[""])
        for frame in reader:
            frame.attrs["offset"] = offset
            offset += len(frame)
            yield frame


def iter_chunks(sources: list[Source], options: BatchOptions) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for source in sources:
        for doc in iter_documents(source, options):
            chunk.append(doc)
            if len(chunk) >= options.chunk_size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


# --- scoring a chunk (runs in a worker) ----------------------------------------------------

_WORKER_MODELS: dict[str, object] = {}


def score_chunk(chunk: list[dict], model_bytes_or_path, model_key: str, max_chars: int,
                metadata: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Score one chunk: (sentences, documents, errors) tables.  Workers keep
    the model they loaded, keyed by its hash, for the next chunk."""
    pipeline = _WORKER_MODELS.get(model_key)
    if pipeline is None:
        from framing.model import load_model, load_model_bytes

        if isinstance(model_bytes_or_path, bytes):
            pipeline = load_model_bytes(model_bytes_or_path)[0]
        else:
            pipeline = load_model(model_bytes_or_path)[0]
        _WORKER_MODELS.clear()
        _WORKER_MODELS[model_key] = pipeline
    errors, good = [], []
    for doc in chunk:
        reason = doc.get("error")
        if reason is None:
            text = doc["text"]
            if len(text) > max_chars:
                reason = f"{len(text):,} characters, over the --max-chars limit of {max_chars:,}"
            elif not text.strip():
                reason = "empty or only whitespace"
        if reason is None:
            good.append(doc)
        else:
            errors.append({"input": doc["input"], "id": doc["id"], "reason": reason})
    # Score under chunk-local keys: ids from a CSV column need not be unique.
    scored = score_texts([(str(i), doc["text"]) for i, doc in enumerate(good)], pipeline)
    docs = profile(scored)
    found = set(docs["doc"])
    for i, doc in enumerate(good):
        if str(i) not in found:  # e.g. a document that is only a heading
            errors.append({"input": doc["input"], "id": doc["id"], "reason": "no sentences found"})
    meta = pd.DataFrame([{c: doc.get(c) for c in ["id", *metadata]} for doc in good],
                        columns=["id", *metadata], dtype="string")
    meta.insert(0, "doc", pd.array([str(i) for i in range(len(good))], dtype="string"))
    docs = meta.merge(docs.astype({"doc": "string"}), on="doc", how="inner").drop(columns="doc")
    sentences = meta.merge(scored.astype({"doc": "string"}), on="doc",
                           how="inner").drop(columns="doc")
    sentences = sentences[["id", *metadata, *SENTENCE_COLUMNS[1:]]]
    return sentences, docs, pd.DataFrame(errors, columns=list(ERROR_COLUMNS), dtype="string")


# --- the run ---------------------------------------------------------------------------

def batch(inputs: Iterable[str | Path], out: str | Path, options: BatchOptions | None = None,
          *, model_path: str | Path | None = None,
          progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Score every document of *inputs* into the folder *out*; see the module doc."""
    from framing.model import default_model_path, load_model

    options = options or BatchOptions()
    started = time.perf_counter()
    sources = [detect_source(p) for p in inputs]
    if not sources:
        raise InputError("no inputs given")
    metadata = check_sources(sources, options)
    model_file = Path(model_path) if model_path else default_model_path()
    card = load_model(model_file)[1]  # fails early on a bad model
    model_bytes = model_file.read_bytes()
    model_key = hashlib.sha256(model_bytes).hexdigest()
    out = Path(out)
    manifest = {
        "model": {"path": str(model_file), "sha256": model_key,
                  "trained_at": card.get("trained_at")},
        "inputs": [dict(asdict(s), **_stat(s.path)) for s in sources],
        "options": {"text_column": options.text_column, "id_column": options.id_column,
                    "chunk_size": options.chunk_size, "max_chars": options.max_chars},
    }
    parts = _prepare_out(out, manifest, options.force)
    result = BatchResult(out=out, metadata_columns=metadata)
    done = {int(p.name.split("-")[1].split(".")[0]) for p in parts.glob("sentences-*.parquet")}
    result.resumed_chunks = len(done)

    def todo():
        for number, chunk in enumerate(iter_chunks(sources, options)):
            if number not in done:
                yield number, chunk

    if options.engine == "dask":
        # Results travel back and the client writes them: workers need no shared disk.
        for number, (sentences, docs, errors) in _run_dask(todo(), model_bytes, model_key,
                                                             options, metadata):
            _write_part(parts, number, sentences, docs, errors)
            if progress:
                progress(len(docs) + len(errors), len(sentences))
    else:
        del model_bytes  # local workers load the file themselves
        # Workers write their own parts and report counts: the parent stays light.
        for n_docs, n_sentences in _run_local(todo(), str(model_file), model_key, options,
                                              metadata, parts):
            if progress:
                progress(n_docs, n_sentences)
    _merge(out, parts, metadata, result)
    result.seconds = time.perf_counter() - started
    _finish_manifest(out, manifest, result)
    return result


def _stat(path: str) -> dict:
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.txt") if f.is_file())
        digest = hashlib.sha256()
        for f in files:
            st = f.stat()
            digest.update(f"{f.relative_to(p)}:{st.st_size}:{st.st_mtime_ns}".encode())
        return {"files": len(files), "fingerprint": digest.hexdigest()[:16]}
    st = p.stat()
    return {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns}


def _prepare_out(out: Path, manifest: dict, force: bool) -> Path:
    """Check the output folder belongs to this run (or is new); return the parts folder."""
    run_file = out / RUN_FILE
    if out.exists() and not out.is_dir():
        raise RunError(f"{out} is a file; -o needs a folder")
    if run_file.exists():
        previous = json.loads(run_file.read_text(encoding="utf-8"))
        same = all(previous.get(k) == manifest[k] for k in ("model", "inputs", "options"))
        if not same and not force:
            what = next(k for k in ("model", "inputs", "options")
                        if previous.get(k) != manifest[k])
            raise RunError(f"{out} holds a run with different {what}; pass --force to replace "
                           "it or choose another -o folder")
        if same and previous.get("status") == "complete" and not force:
            raise RunError(f"{out} already holds this finished run; pass --force to redo it")
        if force:
            shutil.rmtree(out)
    elif out.exists() and any(out.iterdir()) and not force:
        raise RunError(f"{out} is not empty and holds no framing run; choose another -o folder "
                       "or pass --force to replace its contents")
    elif out.exists() and force:
        shutil.rmtree(out)
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    if not run_file.exists():
        _atomic_write(run_file, json.dumps(dict(manifest, status="running"), indent=2))
    return parts


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_part(parts: Path, number: int, sentences, docs, errors) -> None:
    # The sentences part is renamed last: its presence marks the chunk done.
    for name, frame in (("documents", docs), ("errors", errors), ("sentences", sentences)):
        target = parts / f"{name}-{number:06d}.parquet"
        tmp = parts / f".{name}-{number:06d}.parquet.tmp"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        os.replace(tmp, target)


def _merge(out: Path, parts: Path, metadata: list[str], result: BatchResult) -> None:
    numbers = sorted(int(p.name.split("-")[1].split(".")[0])
                     for p in parts.glob("sentences-*.parquet"))
    result.chunks = len(numbers)
    schemas = _schemas(metadata)
    for name in ("sentences", "documents", "errors"):
        tmp = out / f".{name}.parquet.tmp"
        with pq.ParquetWriter(tmp, schemas[name]) as writer:
            for n in numbers:
                table = pq.read_table(parts / f"{name}-{n:06d}.parquet")
                table = table.select(schemas[name].names).cast(schemas[name])
                writer.write_table(table)
                if name == "sentences":
                    result.sentences += table.num_rows
                elif name == "documents":
                    result.documents += table.num_rows
                else:
                    result.errors += table.num_rows
        if name == "errors":
            pq.read_table(tmp).to_pandas().to_csv(out / "errors.csv", index=False)
            tmp.unlink()
        else:
            os.replace(tmp, out / f"{name}.parquet")
    _parquet_to_csv(out / "documents.parquet", out / "documents.csv")
    shutil.rmtree(parts)


def _parquet_to_csv(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    first = True
    for batch in pq.ParquetFile(source).iter_batches(batch_size=50_000):
        batch.to_pandas().to_csv(tmp, mode="w" if first else "a", header=first, index=False)
        first = False
    if first:
        pd.DataFrame(columns=pq.read_schema(source).names).to_csv(tmp, index=False)
    os.replace(tmp, target)


def _schemas(metadata: list[str]) -> dict[str, pa.Schema]:
    text = pa.string()
    meta = [(c, text) for c in ["id", *metadata]]
    proba = [(f"p_{lab}", pa.float64()) for lab in LABELS]
    sentences = pa.schema(meta + [("sentence", pa.int64()), ("start", pa.int64()),
                                  ("end", pa.int64()), ("text", text), ("label", text),
                                  ("confidence", pa.float64()), *proba])
    documents = pa.schema(meta + [("n_sentences", pa.int64())]
                          + [(f"n_{lab}", pa.int64()) for lab in LABELS]
                          + [(f"share_{lab}", pa.float64()) for lab in LABELS]
                          + [("dominant_act", text), ("mean_confidence", pa.float64())])
    errors = pa.schema([(c, text) for c in ERROR_COLUMNS])
    return {"sentences": sentences, "documents": documents, "errors": errors}


def _finish_manifest(out: Path, manifest: dict, result: BatchResult) -> None:
    summary = {k: v for k, v in asdict(result).items() if k != "out"}
    summary["documents_per_second"] = round(result.documents / result.seconds, 1)
    summary["sentences_per_second"] = round(result.sentences / result.seconds, 1)
    _atomic_write(out / RUN_FILE, json.dumps(dict(manifest, status="complete", result=summary),
                                             indent=2))


# --- engines ---------------------------------------------------------------------------

def _run_local(work, model_path, model_key, options, metadata, parts):
    from joblib import Parallel, delayed

    if options.jobs == 1:
        for number, chunk in work:
            yield _score_and_write(number, chunk, model_path, model_key, options.max_chars,
                                   metadata, parts)
        return
    parallel = Parallel(n_jobs=options.jobs, return_as="generator_unordered",
                        pre_dispatch="2*n_jobs")
    yield from parallel(
        delayed(_score_and_write)(number, chunk, model_path, model_key, options.max_chars,
                                  metadata, parts)
        for number, chunk in work)


def _score_and_write(number, chunk, model_path, model_key, max_chars, metadata, parts):
    sentences, docs, errors = score_chunk(chunk, model_path, model_key, max_chars, metadata)
    _write_part(parts, number, sentences, docs, errors)
    return len(docs) + len(errors), len(sentences)


def _numbered(number, chunk, payload, model_key, max_chars, metadata):
    return number, score_chunk(chunk, payload, model_key, max_chars, metadata)


def _run_dask(work, payload, model_key, options, metadata):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RunError("--engine dask needs Dask: pip install 'framing[dask]'") from None
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise RunError(f"cannot reach the Dask scheduler at {options.scheduler} "
                           f"({exc}); check the address") from None
        cluster = None
    else:
        workers = options.jobs if options.jobs > 0 else os.cpu_count() or 1
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        model = client.scatter(payload, broadcast=True)
        limit = 2 * max(1, len(client.scheduler_info()["workers"]))
        pending = as_completed()
        work = iter(work)
        # At most `limit` chunks in flight: memory stays bounded on long corpora.
        for number, chunk in itertools.islice(work, limit):
            pending.add(client.submit(_numbered, number, chunk, model, model_key,
                                      options.max_chars, metadata, pure=False))
        for future in pending:
            yield future.result()
            future.release()
            nxt = next(work, None)
            if nxt is not None:
                number, chunk = nxt
                pending.add(client.submit(_numbered, number, chunk, model, model_key,
                                          options.max_chars, metadata, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- summaries --------------------------------------------------------------------------

PERIODS = ("month", "year", "day", "week")


def summarize(out: str | Path, by: Iterable[str], *, date_column: str | None = None
              ) -> pd.DataFrame:
    """Label shares per group of documents of a batch output.

    ``by`` names metadata columns, or ``month``/``year``/``week``/``day`` of
    the date column (``date_column``, else a column named date, published,
    published_at, datetime or timestamp).  Shares are of sentences in the group.
    """
    path = Path(out) / "documents.parquet"
    if not path.exists():
        raise InputError(f"{out}: no documents.parquet; run `framing batch ... -o {out}` first")
    frame = pd.read_parquet(path)
    keys = []
    for key in by:
        if key in PERIODS and key not in frame.columns:
            column = date_column or next(
                (c for c in ("date", "published", "published_at", "datetime", "timestamp")
                 if c in frame.columns), None)
            if column is None or column not in frame.columns:
                raise InputError(f"--by {key} needs a date column; name it with --date-column "
                                 f"(columns: {', '.join(frame.columns[:20])})")
            dates = pd.to_datetime(frame[column], errors="coerce", utc=True)
            freq = {"month": "M", "year": "Y", "week": "W", "day": "D"}[key]
            frame[key] = dates.dt.tz_localize(None).dt.to_period(freq).astype("string")
        elif key not in frame.columns:
            raise InputError(f"no column {key!r} to group by; columns: "
                             f"{', '.join(frame.columns[:20])}")
        keys.append(key)
    if not keys:
        frame["all"] = "all"
        keys = ["all"]
    counts = [f"n_{lab}" for lab in LABELS]
    grouped = frame.groupby(keys, dropna=False, sort=True)
    table = grouped[["n_sentences", *counts]].sum()
    table.insert(0, "n_documents", grouped.size())
    for lab in LABELS:
        table[f"share_{lab}"] = table[f"n_{lab}"] / table["n_sentences"].where(
            table["n_sentences"] > 0)
    acts = [lab for lab in ("policy_recommendation", "accusation", "defence")]
    table["dominant_act"] = table[[f"n_{a}" for a in acts]].idxmax(axis=1).str[2:].where(
        table[[f"n_{a}" for a in acts]].max(axis=1) > 0, "")
    return table.reset_index()
