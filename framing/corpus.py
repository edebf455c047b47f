"""Read corpora: folders of .txt files (recursively), CSV/TSV, JSON Lines and
Parquet, plain or gzip-compressed, as a stream of documents and chunks.

``framing.batchrun`` scores the chunks; ``framing.summary`` summarises the
result.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import re
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framing.errors import InputError
from framing.ids import DistinctIds, shown_name

log = logging.getLogger(__name__)

FORMATS = ("txt", "csv", "tsv", "jsonl", "parquet")
# Columns framing writes next to the metadata carried through (framing.batchrun).
OUTPUT_COLUMNS = frozenset(
    ["id", "input", "reason", "sentence", "start", "end", "text", "label", "confidence",
     "n_sentences", "dominant_act", "mean_confidence"]
    + [f"{prefix}_{label}" for prefix in ("p", "n", "share")
       for label in ("accusation", "defence", "policy_recommendation", "neutral_reporting")])
DEFAULT_CHUNK = 500
DEFAULT_MAX_CHARS = 1_000_000


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
    any_language: bool = False


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
    # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which must
    # not end up in the first column's name.
    # errors="replace": a byte that is not UTF-8 becomes U+FFFD, so its
    # document goes to errors.csv instead of the whole file failing.
    if source.gzip:
        return io.TextIOWrapper(gzip.open(source.path, "rb"), encoding="utf-8-sig", newline="",
                                errors="replace")
    return open(source.path, encoding="utf-8-sig", newline="", errors="replace")


_NOT_UTF8 = "\ufffd"  # what an undecodable byte became


def text_files(root: Path) -> list[Path]:
    """The .txt files of a folder, recursively, whatever the suffix's case (.TXT)."""
    return sorted(p for p in root.rglob("*") if p.suffix.lower() == ".txt" and p.is_file())


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
            root = Path(source.path)
            if root.is_dir() and not text_files(root):
                raise InputError(f"{source.path}: no .txt files in this folder (or its "
                                 "subfolders); point batch at the folder that holds them")
            extra = ["path"]
        else:
            cols = columns_of(source)
            twice = next((c for c in cols if cols.count(c) > 1), None)
            if twice is not None:
                raise InputError(f"{source.path}: the header names column {twice!r} twice; "
                                 "rename one so that no column is lost")
            missing = [c for c in (options.text_column, options.id_column) if c and c not in cols]
            if missing:
                raise InputError(
                    f"{source.path}: no column {missing[0]!r}; its columns are "
                    f"{', '.join(cols[:20])}; choose with --text-column / --id-column")
            extra = [c for c in cols if c not in (options.text_column, options.id_column)]
            clash = next((c for c in extra if c in OUTPUT_COLUMNS), None)
            if clash == "id":
                raise InputError(f"{source.path}: has an 'id' column; pass --id-column id to "
                                 "use it as the document id (or rename it)")
            if clash:
                raise InputError(f"{source.path}: column {clash!r} has the name of one of "
                                 "framing's output columns; rename it")
        metadata.extend(c for c in extra if c not in metadata)
    return metadata


def iter_documents(source: Source, options: BatchOptions) -> Iterator[dict]:
    """Yield ``{"id", "text" | "error", "input", **metadata}`` for every document."""
    if source.format == "txt":
        yield from _iter_txt(source)
        return
    text_col, id_col = options.text_column, options.id_column
    name = Path(source.path).name
    # A CSV's header is line 1 (as a spreadsheet shows it); JSON Lines have none.
    first_line = 2 if source.format in ("csv", "tsv") else 1
    unnamed = 0
    for offset, columns in _iter_columns(source, options):
        # Column by column (a row-by-row pandas loop cost the parent process
        # more than reading the file).
        # (JSON Lines: rows that were not JSON objects carry an error; their
        # other values are None.)
        problems = columns.pop(ERROR_FIELD, None)
        error_ids = columns.pop(ERROR_ID_FIELD, None)
        n = len(problems) if problems is not None else len(next(iter(columns.values())))
        meta_cols = [c for c in columns if c not in (text_col, id_col)]
        texts = columns.get(text_col, [None] * n)
        ids = error_ids or (_plain_column(columns.get(id_col, [None] * n)) if id_col
                            else [None] * n)
        metas = [_plain_column(columns[c]) for c in meta_cols]
        for i, (text, doc_id) in enumerate(zip(texts, ids, strict=True)):
            if doc_id is None and id_col and not error_ids:
                unnamed += 1
            out = {"id": doc_id if doc_id is not None else f"{name}:{offset + i + 1}",
                   "input": source.path}
            for column, values in zip(meta_cols, metas, strict=True):
                out[column] = values[i]
            if problems and problems[i]:
                out["error"] = problems[i]
            elif isinstance(text, str) and _NOT_UTF8 in text:
                out["error"] = (f"{name}:{offset + i + first_line}: not valid UTF-8 text; "
                                f"convert the file, e.g. iconv -f latin1 -t utf-8 {name}")
            elif isinstance(text, str):
                out["text"] = text
            elif text is None or (isinstance(text, float) and pd.isna(text)):
                out["error"] = f"missing value in text column {text_col!r}"
            else:
                out["error"] = f"text column {text_col!r} holds {type(text).__name__}, not text"
            yield out
    if unnamed:
        log.warning("%s: %s no value in the id column %r; named %s:ROW (ROW counts the "
                    "rows after the header)", name,
                    "1 row has" if unnamed == 1 else f"{unnamed} rows have", id_col, name)


def _plain_column(values: list) -> list[str | None]:
    return [v if type(v) is str else _plain(v) for v in values]


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def _iter_txt(source: Source) -> Iterator[dict]:
    root = Path(source.path)
    files = [root] if root.is_file() else text_files(root)
    for path in files:
        doc_id = path.stem if root.is_file() else str(path.relative_to(root).with_suffix(""))
        out = {"id": shown_name(doc_id), "input": shown_name(str(source.path)),
               "path": shown_name(str(path))}
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
                # As open(path, encoding="utf-8").read() reads it (offsets count so).
                out["text"] = universal_newlines(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                out["error"] = f"not valid UTF-8 (byte {exc.start})"
        yield out


def _iter_columns(source: Source, options: BatchOptions) -> Iterator[tuple[int, dict[str, list]]]:
    """Blocks of rows as ``(offset of the first row, {column: values})``."""
    size = max(options.chunk_size, 1000)
    offset = 0
    if source.format == "parquet":
        # Streamed column chunks: a big row group is not held in memory whole.
        reader = pq.ParquetFile(source.path, buffer_size=1 << 20, pre_buffer=False)
        for batch in reader.iter_batches(batch_size=size):
            yield offset, {name: batch.column(i).to_pylist()
                           for i, name in enumerate(batch.schema.names)}
            offset += batch.num_rows
        return
    try:
        if source.format == "jsonl":
            with _open_text(source) as fh:
                yield from _jsonl_blocks(fh, source, size)
            return
        # The CSV parser decodes the bytes itself (a byte that is not UTF-8
        # becomes U+FFFD and its row goes to errors.csv).
        opener = gzip.open if source.gzip else open
        # A row with too many fields is skipped by pandas with a warning
        # naming its line: it becomes a document with an error, and the run
        # goes on.
        with opener(source.path, "rb") as fh, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            try:
                reader = pd.read_csv(fh, sep="," if source.format == "csv" else "\t",
                                     chunksize=size, dtype=str, keep_default_na=False,
                                     na_values=[""], on_bad_lines="warn",
                                     encoding="utf-8-sig",
                                     encoding_errors="replace")
                for frame in reader:
                    yield offset, {c: frame[c].tolist() for c in frame.columns}
                    offset += len(frame)
                    bad = _bad_lines(caught, Path(source.path).name)
                    if bad:
                        yield offset, bad
            except (pd.errors.ParserError, ValueError) as exc:
                # An unclosed quotation mark: say where, not a traceback.
                detail = " ".join(str(exc).split())
                raise InputError(f"{source.path}: cannot be read past row {offset + 1:,} "
                                 f"({detail}); fix that line (close the quotation "
                                 "marks) and run the same command again") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(f"{source.path}: ended early or is damaged ({exc}); is the .gz file "
                         "truncated? Copy it again and rerun the same command") from None


ERROR_FIELD = "__framing_error__"
ERROR_ID_FIELD = "__framing_error_id__"
_SKIPPED = re.compile(r"Skipping line (\d+): (.*)")


def _bad_lines(caught: list, name: str) -> dict[str, list] | None:
    """The rows pandas skipped (recorded warnings, consumed) as error rows."""
    found = []
    for warning in caught:
        for line in str(warning.message).splitlines():
            match = _SKIPPED.search(line)
            if match:
                found.append((int(match.group(1)), match.group(2).strip()))
    caught.clear()
    if not found:
        return None
    return {ERROR_FIELD: [f"{name}:{n}: a malformed row ({why}); quote fields that hold the "
                          "separator" for n, why in found],
            ERROR_ID_FIELD: [f"{name}:line {n}" for n, _ in found]}


def _jsonl_blocks(fh, source: Source, size: int) -> Iterator[tuple[int, dict[str, list]]]:
    """JSON Lines read line by line: a line that is not a JSON object becomes
    a document with an error (``file:line: ...``) and the run goes on."""
    offset = 0
    name = Path(source.path).name
    rows: list[dict] = []
    for number, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError(f"a JSON {type(row).__name__}, not an object")
        except ValueError as exc:
            detail = str(exc).split(":")[0] if isinstance(exc, json.JSONDecodeError) else exc
            row = {ERROR_FIELD: f"{name}:{number}: not a JSON object ({detail})"}
        rows.append(row)
        if len(rows) >= size:
            yield offset, _columns(rows)
            offset += len(rows)
            rows = []
    if rows:
        yield offset, _columns(rows)


def _columns(rows: list[dict]) -> dict[str, list]:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return {k: [row.get(k) for row in rows] for k in keys}


def universal_newlines(text: str) -> str:
    """CRLF and CR as LF: what Python's text files do by default."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def iter_chunks(sources: list[Source], options: BatchOptions) -> Iterator[list[dict]]:
    """Documents in chunks of ``options.chunk_size``.  A document id seen
    before (a repeated --id-column value, an input given twice) gets a
    suffix ("x#2"), with a warning: documents stay distinct."""
    chunk: list[dict] = []
    ids = DistinctIds()
    renamed = 0
    for source in sources:
        for doc in iter_documents(source, options):
            doc_id = ids.take(doc["id"])
            if doc_id != doc["id"]:
                renamed += 1
                if renamed <= 3:
                    log.warning("document id %s appears more than once; this one is %s",
                                doc["id"], doc_id)
                doc["id"] = doc_id
            chunk.append(doc)
            if len(chunk) >= options.chunk_size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk
    if renamed > 3:
        log.warning("%d repeated document ids were given a #N suffix in all", renamed)


def count_documents(sources: list[Source]) -> int | None:
    """How many documents the inputs hold, when that is cheap to know (Parquet
    metadata, a folder's file count); None if any input would need a full read."""
    total = 0
    for source in sources:
        if source.format == "parquet":
            total += pq.ParquetFile(source.path).metadata.num_rows
        elif source.format == "txt":
            root = Path(source.path)
            total += 1 if root.is_file() else len(text_files(root))
        else:
            return None
    return total
