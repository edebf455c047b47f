"""Batch-score a corpus: streaming, in parallel, resumably.

A run reads its inputs (``framing.corpus``) as a stream of fixed-size chunks
of documents (so chunk numbers are deterministic), scores each chunk in a
worker (locally: processes forked from this one once it has loaded the
model, or joblib's where forking is unsafe; Dask on a cluster), and writes
the chunk's rows as part files (Arrow IPC; write, then rename) under
``OUT/parts/``.  Running the same command again skips the chunks whose parts
exist.  While the run goes on, the parent appends finished parts, in chunk
order, to the final outputs (under temporary names until the end), so an
interrupted-then-resumed run produces exactly the files an uninterrupted one
does.

Outputs: ``sentences.parquet`` (one row per sentence), ``documents.parquet``
and ``documents.csv`` (one row per document), ``errors.csv`` (documents that
could not be scored, with the reason) and ``run.json`` (model, inputs,
options, counts, timings).
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framing.corpus import (
    BatchOptions,
    check_sources,
    count_documents,
    detect_source,
    iter_chunks,
    text_files,
)
from framing.errors import FramingError, InputError
from framing.files import replacing, write_text
from framing.intake import detect_language
from framing.labels import LABELS
from framing.scoring import (
    SENTENCE_COLUMNS,
    profile,
    score_table,
    split_document,
    table_from_rows,
)

ERROR_COLUMNS = ("input", "id", "reason")
RUN_FILE = "run.json"


class RunError(FramingError):
    """The output folder belongs to a different run, or cannot be used."""


@dataclass
class BatchResult:
    out: Path
    documents: int = 0
    sentences: int = 0
    errors: int = 0
    chunks: int = 0
    resumed_chunks: int = 0
    resumed_sentences: int = 0  # of .sentences, scored by an earlier, interrupted run
    resumed_documents: int = 0
    seconds: float = 0.0
    metadata_columns: list[str] = field(default_factory=list)


# --- scoring a chunk (runs in a worker) ----------------------------------------------------

_WORKER_MODELS: dict[str, object] = {}


def score_chunk(chunk: list[dict], model_bytes_or_path, model_key: str, max_chars: int,
                metadata: list[str], any_language: bool = False
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Score one chunk: (sentences, documents, errors) tables.  Workers keep
    the model they loaded, keyed by its hash, for the next chunk.  Documents
    not in English go to the errors table unless *any_language*."""
    model = _WORKER_MODELS.get(model_key)
    if model is None:  # the arrays scoring reads: no scikit-learn in a worker
        from framing.model import load_linear, load_model_bytes

        if isinstance(model_bytes_or_path, bytes):
            model = load_model_bytes(model_bytes_or_path, linear=True)[0]
        else:
            model = load_linear(model_bytes_or_path)[0]
        _WORKER_MODELS.clear()
        _WORKER_MODELS[model_key] = model
    errors, good = [], []
    for doc in chunk:
        reason = doc.get("error")
        if reason is None:
            text = doc["text"]
            if len(text) > max_chars:
                reason = f"{len(text):,} characters, over the --max-chars limit of {max_chars:,}"
            elif not text.replace("\ufeff", "").strip():
                reason = "empty or only whitespace"
            elif not any_language and (language := detect_language(text)) != "en":
                reason = (f"language '{language}', not English: the model reads English "
                          "(--any-language scores it anyway)")
        if reason is None:
            good.append(doc)
        else:
            errors.append({"input": doc["input"], "id": doc["id"], "reason": reason})
    # Score under chunk-local keys (row numbers): ids from a CSV column need not be unique.
    rows, headings = [], []
    for i, doc in enumerate(good):
        sentences, heads = split_document(doc["text"], i)
        rows.extend(sentences)
        headings.append(len(heads))
    scored = score_table(table_from_rows(rows), model)[list(SENTENCE_COLUMNS)]
    docs = profile(scored)
    # Headings are not scored, but counted (as `framing score` does).
    docs.insert(docs.columns.get_loc("n_sentences") + 1, "n_headings",
                np.array(headings, dtype=np.int64)[docs["doc"].to_numpy(dtype=np.int64)])
    found = set(docs["doc"].tolist())
    for i, doc in enumerate(good):
        if i not in found:  # e.g. a document that is only a heading
            errors.append({"input": doc["input"], "id": doc["id"],
                           "reason": "no sentences found (only headings)"})
    meta = pd.DataFrame([{c: doc.get(c) for c in ["id", *metadata]} for doc in good],
                        columns=["id", *metadata], dtype="string")

    def with_meta(table: pd.DataFrame) -> pd.DataFrame:
        rows = meta.take(table["doc"].to_numpy(dtype=np.int64)).reset_index(drop=True)
        return pd.concat([rows, table.drop(columns="doc").reset_index(drop=True)], axis=1)

    docs = with_meta(docs)
    sentences = with_meta(scored)
    return sentences, docs, pd.DataFrame(errors, columns=list(ERROR_COLUMNS), dtype="string")


# --- the run ---------------------------------------------------------------------------

def batch(inputs: Iterable[str | Path], out: str | Path, options: BatchOptions | None = None,
          *, model_path: str | Path | None = None,
          progress: Callable[[int, int], None] | None = None,
          total: Callable[[int | None], None] | None = None) -> BatchResult:
    """Score every document of *inputs* into the folder *out*; see the module doc.

    *progress* is called with (documents, sentences) after each chunk; *total*
    once with the number of documents when it is cheap to know (else None)."""
    from framing.model import load_linear
    from framing.registry import resolve as resolve_model_path

    options = options or BatchOptions()
    started = time.perf_counter()
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)  # one path
    sources = [detect_source(p) for p in inputs]
    if not sources:
        raise InputError("no inputs given")
    check_out_folder(out, inputs)
    metadata = check_sources(sources, options)
    if total:
        total(count_documents(sources))
    model_file = resolve_model_path(model_path)
    model, card = load_linear(model_file)  # fails early on a bad model
    model_bytes = model_file.read_bytes()
    model_key = hashlib.sha256(model_bytes).hexdigest()
    out = Path(out)
    manifest = {
        "model": {"path": str(model_file), "sha256": model_key,
                  "trained_at": card.get("trained_at")},
        "inputs": [dict(asdict(s), **_stat(s.path)) for s in sources],
        "options": {"text_column": options.text_column, "id_column": options.id_column,
                    "chunk_size": options.chunk_size, "max_chars": options.max_chars,
                    "any_language": options.any_language},
        # Relative document paths (the "path" column) are relative to this.
        "cwd": os.getcwd(),
    }
    parts = _prepare_out(out, manifest, options.force)
    result = BatchResult(out=out, metadata_columns=metadata)
    done = {int(p.name.split("-")[1].split(".")[0]) for p in parts.glob("sentences-*.arrow")}
    result.resumed_chunks = len(done)

    def todo():
        for number, chunk in enumerate(iter_chunks(sources, options)):
            if number not in done:
                yield number, chunk

    with _Merger(out, parts, metadata, result, resumed=frozenset(done)) as merger:
        merger.advance(done)
        if options.engine == "dask":
            # Results travel back and the client writes them: workers need no shared disk.
            for number, (sentences, docs, errors) in _run_dask(todo(), model_bytes, model_key,
                                                                 options, metadata):
                _write_part(parts, number, sentences, docs, errors, metadata)
                done.add(number)
                merger.advance(done)
                if progress:
                    progress(len(docs) + len(errors), len(sentences))
        else:
            del model_bytes  # forked workers share the loaded model; joblib's load the file
            # Workers write their own parts and report counts: the parent stays light.
            for number, n_docs, n_sentences in _run_local(todo(), str(model_file), model_key,
                                                          options, metadata, parts, model):
                done.add(number)
                merger.advance(done)
                if progress:
                    progress(n_docs, n_sentences)
        merger.finish()
    result.seconds = time.perf_counter() - started
    _finish_manifest(out, manifest, result)
    if result.documents == 0 and result.errors == 0:
        raise InputError("the inputs hold no documents (a CSV or JSON Lines file with no "
                         "rows?); nothing was scored")
    return result


def _stat(path: str) -> dict:
    p = Path(path)
    if p.is_dir():
        files = text_files(p)
        digest = hashlib.sha256()
        for f in files:
            st = f.stat()
            # (fsencode: a name that is not UTF-8 hashes as its bytes)
            digest.update(os.fsencode(f.relative_to(p))
                          + f":{st.st_size}:{st.st_mtime_ns}".encode())
        return {"files": len(files), "fingerprint": digest.hexdigest()[:16]}
    st = p.stat()
    return {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns}


# Everything a run writes into its output folder.  ``--force`` removes these
# and nothing else: a folder that holds anything of the user's keeps it.
OUTPUT_FILES = ("sentences.parquet", "documents.parquet", "documents.csv", "errors.csv",
                RUN_FILE)
_PART = re.compile(r"^\.?(sentences|documents|errors)-\d{6}\.arrow(\.tmp)?$")
# (``framing.files.replacing`` names its temporary files ``.NAME.XXXXXXXX.tmp``.)
_TEMP = re.compile(r"^\.(sentences|documents|errors|documents\.csv|run\.json)"
                   r"(\.parquet)?(\.[a-z0-9_]{8})?\.tmp$")


def check_out_folder(out: str | Path, inputs: Iterable[str | Path]) -> None:
    """Refuse, before any work, an output folder that is the current folder
    (or holds it) or that is, or holds, one of the inputs."""
    target = Path(out).resolve()
    here = Path.cwd().resolve()
    if target == here or target in here.parents:
        raise RunError(f"-o {out} is the current folder or holds it; give batch a folder "
                       "of its own, e.g. -o out/")
    for path in inputs:
        source = Path(path).resolve()
        if source == target or target in source.parents:
            raise RunError(f"-o {out} holds the input {path}; choose an output folder "
                           "outside the inputs, e.g. -o out/")


def _read_run(run_file: Path) -> dict:
    """A run's record, or ``RunError`` when the file is not one framing wrote."""
    try:
        record = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        record = exc
    if not isinstance(record, dict):
        raise RunError(f"{run_file} is not a record of a framing run (unreadable); move it "
                       "away or choose another -o folder")
    return record


def _remove_outputs(out: Path) -> None:
    """Delete what framing runs write into *out* (``OUTPUT_FILES``, part and
    temporary files); leave everything else where it is.  The run is first
    marked unfinished, so that a removal that fails half-way (a file the user
    made read-only) never leaves a "complete" run without its outputs."""
    run_file = out / RUN_FILE
    if run_file.exists():
        previous = _read_run(run_file)
        write_text(run_file, json.dumps(dict(previous, status="running"), indent=2))
    for name in OUTPUT_FILES:
        if name != RUN_FILE:
            (out / name).unlink(missing_ok=True)
    run_file.unlink(missing_ok=True)
    for path in out.iterdir():
        if path.is_file() and _TEMP.match(path.name):
            path.unlink()
    _remove_parts(out / "parts")


def _remove_parts(parts: Path) -> None:
    if not parts.is_dir():
        return
    for path in parts.iterdir():
        if path.is_file() and _PART.match(path.name):
            path.unlink()
    if not any(parts.iterdir()):
        parts.rmdir()


def _prepare_out(out: Path, manifest: dict, force: bool) -> Path:
    """Check the output folder belongs to this run (or is new); return the parts folder.

    ``--force`` replaces an earlier run's outputs only: a non-empty folder
    that holds no framing run is refused with or without it."""
    run_file = out / RUN_FILE
    if out.exists() and not out.is_dir():
        raise RunError(f"{out} is a file; -o needs a folder")
    if run_file.exists():
        previous = _read_run(run_file)
        same = all(previous.get(k) == manifest[k] for k in ("model", "inputs", "options"))
        if not same and not force:
            what = next(k for k in ("model", "inputs", "options")
                        if previous.get(k) != manifest[k])
            raise RunError(f"{out} holds a run with different {what}; pass --force to replace "
                           "it or choose another -o folder")
        if same and previous.get("status") == "complete" and not force:
            raise RunError(f"{out} already holds this finished run; pass --force to redo it")
        if force:
            _remove_outputs(out)
    elif out.exists() and any(out.iterdir()):
        raise RunError(f"{out} is not empty and holds no framing run; choose a new or empty "
                       "-o folder (--force replaces only an earlier run's outputs)")
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    if not run_file.exists():
        write_text(run_file, json.dumps(dict(manifest, status="running"), indent=2))
    return parts


def _write_part(parts: Path, number: int, sentences, docs, errors, metadata) -> None:
    """A chunk's three tables as Arrow IPC files (fast to write and to read back;
    the final Parquet files are encoded once, by the merge).  The sentences
    part is renamed last: its presence marks the chunk done."""
    schemas = _schemas(metadata)
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    for name, frame in (("documents", docs), ("errors", errors), ("sentences", sentences)):
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.select(schemas[name].names).cast(schemas[name])
        target = parts / f"{name}-{number:06d}.arrow"
        tmp = parts / f".{name}-{number:06d}.arrow.tmp"
        try:
            with pa.OSFile(str(tmp), "wb") as sink, \
                    pa.ipc.new_file(sink, table.schema, options=options) as writer:
                writer.write_table(table)
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise


class _Merger:
    """Appends finished parts, in chunk order, to the final files while the
    run goes on, so little is left to do at the end.  The final files are
    written under temporary names and renamed by ``finish``; parts are
    deleted only then, so an interrupted run loses nothing."""

    def __init__(self, out: Path, parts: Path, metadata: list[str], result: BatchResult,
                 resumed: frozenset[int] = frozenset()):
        self.out, self.parts, self.result, self.resumed = out, parts, result, resumed
        self.schemas = _schemas(metadata)
        self.next = 0
        self.writers: dict[str, pq.ParquetWriter] = {}

    def __enter__(self):
        for name, schema in self.schemas.items():
            self.writers[name] = pq.ParquetWriter(self._tmp(name), schema)
        return self

    def _tmp(self, name: str) -> Path:
        return self.out / f".{name}.parquet.tmp"

    def advance(self, done: set[int]) -> None:
        while self.next in done:
            for name, writer in self.writers.items():
                path = self.parts / f"{name}-{self.next:06d}.arrow"
                with pa.memory_map(str(path)) as source:
                    table = pa.ipc.open_file(source).read_all()
                writer.write_table(table)
                # result.sentences, .documents, .errors
                setattr(self.result, name, getattr(self.result, name) + table.num_rows)
                if self.next in self.resumed and name != "errors":
                    key = f"resumed_{name}"
                    setattr(self.result, key, getattr(self.result, key) + table.num_rows)
            self.next += 1
            self.result.chunks += 1
            pa.default_memory_pool().release_unused()

    def finish(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers = {}
        pq.read_table(self._tmp("errors")).to_pandas().to_csv(self.out / "errors.csv",
                                                              index=False)
        self._tmp("errors").unlink()
        for name in ("sentences", "documents"):
            os.replace(self._tmp(name), self.out / f"{name}.parquet")
        _parquet_to_csv(self.out / "documents.parquet", self.out / "documents.csv")
        _remove_parts(self.parts)

    def __exit__(self, *exc) -> None:
        for name, writer in self.writers.items():  # interrupted: drop the unfinished files
            writer.close()
            self._tmp(name).unlink(missing_ok=True)


def _parquet_to_csv(source: Path, target: Path) -> None:
    with replacing(target, newline="") as fh:
        first = True
        for batch in pq.ParquetFile(source).iter_batches(batch_size=50_000):
            batch.to_pandas().to_csv(fh, header=first, index=False)
            first = False
        if first:
            pd.DataFrame(columns=pq.read_schema(source).names).to_csv(fh, index=False)


def _schemas(metadata: list[str]) -> dict[str, pa.Schema]:
    text = pa.string()
    meta = [(c, text) for c in ["id", *metadata]]
    proba = [(f"p_{lab}", pa.float64()) for lab in LABELS]
    sentences = pa.schema(meta + [("sentence", pa.int64()), ("start", pa.int64()),
                                  ("end", pa.int64()), ("text", text), ("label", text),
                                  ("confidence", pa.float64()), *proba])
    documents = pa.schema(meta + [("n_sentences", pa.int64()), ("n_headings", pa.int64())]
                          + [(f"n_{lab}", pa.int64()) for lab in LABELS]
                          + [(f"share_{lab}", pa.float64()) for lab in LABELS]
                          + [("dominant_act", text), ("mean_confidence", pa.float64())])
    errors = pa.schema([(c, text) for c in ERROR_COLUMNS])
    return {"sentences": sentences, "documents": documents, "errors": errors}


def _finish_manifest(out: Path, manifest: dict, result: BatchResult) -> None:
    summary = {k: v for k, v in asdict(result).items() if k != "out"}
    # Rates of this run's own work: chunks resumed from an earlier run are not counted.
    summary["documents_per_second"] = round(
        (result.documents - result.resumed_documents) / result.seconds, 1)
    summary["sentences_per_second"] = round(
        (result.sentences - result.resumed_sentences) / result.seconds, 1)
    write_text(out / RUN_FILE, json.dumps(dict(manifest, status="complete", result=summary),
                                             indent=2))


# --- engines ---------------------------------------------------------------------------

def _run_local(work, model_path, model_key, options, metadata, parts, model=None):
    if model is not None:  # already loaded: this process and forked workers use it
        _WORKER_MODELS.clear()
        _WORKER_MODELS[model_key] = model
        # The model and the modules stay for the whole run: out of the garbage
        # collector's sight (and, in forked workers, their pages stay shared).
        gc.freeze()
    if options.jobs == 1:
        for number, chunk in work:
            yield _score_and_write(number, chunk, model_path, model_key, options.max_chars,
                                   metadata, parts, options.any_language)
        return
    args = (model_path, model_key, options.max_chars, metadata, parts, options.any_language)
    if model is not None and _can_fork():
        yield from _run_forked(work, args, options.jobs)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=options.jobs, return_as="generator_unordered",
                        pre_dispatch="2*n_jobs")
    yield from parallel(delayed(_score_and_write)(number, chunk, *args)
                        for number, chunk in work)


def _can_fork() -> bool:
    """Forking a process that has loaded scikit-learn, NumPy and Arrow is
    safe on Linux; macOS and Windows workers are started fresh by joblib."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _run_forked(work, args, jobs):
    """Workers forked from this process, which has already loaded the model:
    no worker imports scikit-learn or unpickles the model again (joblib's
    fresh workers spend ~2 s on that per run).  The workers are started
    before any input is read; at most two chunks per worker are in flight,
    so memory stays bounded."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
    from concurrent.futures.process import BrokenProcessPool

    jobs = jobs if jobs > 0 else os.cpu_count() or 1
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        pool.submit(os.getpid).result()  # forks every worker now
        pending = set()
        for number, chunk in work:
            pending.add(pool.submit(_score_and_write, number, chunk, *args))
            if len(pending) >= 2 * jobs:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        for future in as_completed(pending):
            yield future.result()
    except BrokenProcessPool:
        pool.shutdown(wait=False, cancel_futures=True)
        raise RunError("a worker process died (out of memory?); run the same command again "
                       "to resume, with fewer --jobs or a smaller --chunk-size") from None
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _die_with_parent(parent: int) -> None:
    """In a worker: ask Linux to end this process when its parent dies (a
    `kill -9` of framing must not leave workers holding memory for ever).
    A worker forked from the command line ends on SIGTERM/SIGHUP as any
    process does, not by the parent's "interrupted" handler."""
    import signal

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _score_and_write(number, chunk, model_path, model_key, max_chars, metadata, parts,
                     any_language=False):
    # Scoring makes hundreds of thousands of short-lived lists and tuples but
    # no reference cycles worth chasing: the cyclic garbage collector cost a
    # tenth of the time.  It runs again between chunks.
    enabled = gc.isenabled()
    gc.disable()
    try:
        sentences, docs, errors = score_chunk(chunk, model_path, model_key, max_chars,
                                              metadata, any_language)
        _write_part(parts, number, sentences, docs, errors, metadata)
    finally:
        if enabled:
            gc.enable()
    return number, len(docs) + len(errors), len(sentences)


def _numbered(number, chunk, payload, model_key, max_chars, metadata, any_language=False):
    return number, score_chunk(chunk, payload, model_key, max_chars, metadata, any_language)


def _run_dask(work, payload, model_key, options, metadata):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RunError("--engine dask needs Dask: pip install 'framing[dask]'") from None
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
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
                                      options.max_chars, metadata, options.any_language,
                                      pure=False))
        for future in pending:
            yield future.result()
            future.release()
            nxt = next(work, None)
            if nxt is not None:
                number, chunk = nxt
                pending.add(client.submit(_numbered, number, chunk, model, model_key,
                                          options.max_chars, metadata, options.any_language,
                                          pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
