"""Command line: argument parsing, output formatting, error → exit code; nothing else."""

from __future__ import annotations

import gc
import importlib
import json
import logging
import shutil
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from framing.errors import FramingError, LabelError
from framing.ids import terminal_safe
from framing.labels import ACTS, DOMINANT_MEANS, LABELS

if TYPE_CHECKING:  # (each command imports what it needs: --help and --version stay fast)
    import pandas as pd

FORMATS = ("table", "csv", "jsonl", "json")
SCORE_FORMATS = (*FORMATS, "html")
SHORT = {"accusation": "accusation", "defence": "defence",
         "policy_recommendation": "policy_rec", "neutral_reporting": "neutral"}


class CLIError(FramingError):
    """A problem with the command line itself."""


def output_options(func=None, *, formats=FORMATS):
    """``--format`` and ``-o/--output``, shared by every row-printing command."""
    if func is None:
        return lambda f: output_options(f, formats=formats)
    func = click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
                        default="-", show_default=True,
                        help="Write here instead of standard output ('-').")(func)
    extra = "; html: the article highlighted, one self-contained page" if "html" in formats \
        else ""
    func = click.option("--format", "fmt", type=click.Choice(formats), default="table",
                        show_default=True,
                        help="table for people; csv, jsonl (one sentence per line) "
                             f"or json for programs{extra}.")(func)
    func = click.option("--force", is_flag=True,
                        help="Overwrite an existing --output file.")(func)
    return func


class _Jobs(click.ParamType):
    """--jobs: a positive number of processes, or -1 for one per core."""

    name = "integer"

    def convert(self, value, param, ctx):
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number == -1 or number >= 1:
            return number
        self.fail(f"{number} processes: give 1 or more, or -1 for one per core", param, ctx)


JOBS = _Jobs()


# What each command imports before it runs, with the cyclic garbage
# collector paused: imports make hundreds of thousands of objects and no
# garbage, and the collector spent ~0.3 s walking scikit-learn's.  They are
# then frozen out of its sight (forked batch workers keep those pages
# shared).  Others import when they need to: --help and --version stay fast,
# and score reads its model without scikit-learn (framing.linear).
_SKLEARN = ("sklearn.compose", "sklearn.linear_model", "sklearn.pipeline", "framing.features")
_IMPORTS = {
    "score": ("framing.scoring",), "explain": ("framing.scoring",),
    "batch": ("framing.batchrun", "framing.scoring"),
    "train": ("framing.training", *_SKLEARN), "evaluate": ("framing.evaluation", *_SKLEARN),
    "suggest": ("framing.active",), "label": ("framing.annotate", "framing.scoring"),
}


def _import_for(command: str | None) -> None:
    modules = _IMPORTS.get(command or "", ())
    if not modules:
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="framing")
@click.pass_context
def cli(ctx):
    """Tag every sentence of news and opinion text with the rhetorical act it
    performs: accusation, defence, policy_recommendation or neutral_reporting.

    \b
    Examples:
      framing score article.txt
      cat article.txt | framing score - --format jsonl
      framing train
    """
    _import_for(ctx.invoked_subcommand)


# --- score ------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--model", "model_path", default=None,
              help="Model file (.joblib or .skops) or a version name from `framing models` "
                   "(default: your trained model, else the installed one; see `framing models`).")
@click.option("--explain", is_flag=True,
              help="Show the features behind each label (an evidence field in json/jsonl).")
@click.option("--no-unwrap", is_flag=True,
              help="Keep every line break as a sentence end (by default the soft line breaks "
                   "of hard-wrapped text are joined).")
@output_options(formats=SCORE_FORMATS)
def score(files, model_path, explain, no_unwrap, fmt, output, force):
    """Label every sentence of FILES ('-' reads standard input) and profile each document.

    Plain text, Markdown or HTML (tags stripped; offsets point into the
    HTML). Offsets are character positions in the file as Python reads it:
    open(path, encoding="utf-8").read(). Headings are listed but not scored;
    the model reads English, and other languages are flagged.

    \b
    Examples:
      framing score seeds/000_311a02848bb16e5f.txt
      framing score --format jsonl article.txt > sentences.jsonl
      cat article.txt | framing score -
      framing score a.txt b.txt --format csv -o scored.csv
      framing score article.txt --explain
      framing score article.txt --format html -o article.html
    """
    from framing.ids import shown_name
    from framing.model import load_linear
    from framing.scoring import decode_text, read_text, score_documents

    if files.count("-") > 1:
        raise CLIError("- (standard input) is given more than once; it can be read only once")
    check_output(output, force, inputs=files)
    model = load_linear(resolve_model(model_path))
    texts = []
    for name in files:
        if name == "-":
            texts.append(("-", decode_text(sys.stdin.buffer.read(), "standard input")))
        else:
            texts.append((shown_name(name), read_text(name)))
    size = sum(len(text) for _, text in texts)
    if size > LARGE_INPUT:
        # score holds every sentence, its scores and the output in memory
        # (about 2.7 GB for 20 MB of text); batch streams.
        click.echo(f"framing: warning: {size / 1e6:.0f} MB of text: `framing score` holds it "
                   "all in memory (over 100 times its size); for corpora use `framing batch "
                   "FILES -o out/`, which streams", err=True)
    result = score_documents(texts, model, explain=explain or fmt == "html",
                             unwrap=False if no_unwrap else None)
    for warning in result.warnings:
        click.echo(f"framing: warning: {warning}", err=True)
    if fmt == "html":
        from framing.html import article_page
        from framing.intake import looks_like_html

        # An HTML input is shown as its clean sentences, not as markup.
        sources = {doc: None if looks_like_html(text) else text
                   for doc, (_, text) in zip(result.documents["doc"], texts, strict=True)}
        emit(article_page(result.sentences, sources, documents=result.documents), output)
        return
    write_scored(result.sentences, fmt, output, documents=result.documents)


LARGE_INPUT = 10_000_000  # characters: over this, `score` suggests `batch`


def run_files(folders) -> list[Path]:
    """The files `framing batch` wrote into each of *folders* that is a run:
    inputs of summarize, report and suggest, never their output."""
    from framing.batchrun import OUTPUT_FILES, RUN_FILE

    return [Path(f) / name for f in folders if Path(f, RUN_FILE).exists()
            for name in OUTPUT_FILES]


def resolve_model(name):
    from framing.registry import resolve

    return resolve(name)


def check_output(output: str, force: bool, inputs=()) -> None:
    """Before any work: the output file may be written (its folder exists, it
    is not a folder nor one of *inputs*, it is new or --force says to replace
    it).  A FIFO or device (``-o /dev/stdout``) is written into, so it needs
    no --force."""
    from framing.files import is_special, same_file

    if output == "-":
        return
    if not output:
        raise CLIError("-o/--output is empty; give a file name, or - for standard output")
    path = Path(output)
    if path.is_dir():
        raise CLIError(f"{output} is a folder; give a file name, e.g. {path / 'out'}")
    folder = path.resolve().parent if path.is_symlink() else path.parent
    if not folder.is_dir():
        raise CLIError(f"folder {folder} does not exist; create it or choose another "
                       "-o/--output")
    for name in inputs:
        if name != "-" and same_file(name, path):
            raise CLIError(f"{output} is also an input; write the output to another file "
                           "(--force does not overwrite an input)")
    if path.exists() and not force and not is_special(path):
        raise CLIError(f"{output} exists; pass --force to overwrite it")


def records(frame: pd.DataFrame) -> list[dict]:
    from framing.scoring import records as as_records

    return as_records(frame)


def documents_json(scored: pd.DataFrame, profiles: pd.DataFrame) -> dict:
    from framing.scoring import documents_json as as_json

    return as_json(scored, profiles)


def write_scored(scored: pd.DataFrame, fmt: str, output: str,
                 documents: pd.DataFrame | None = None) -> None:
    """Sentence rows (with heading rows when they have a ``kind`` column) and
    the profile of each document in *documents* (default: of each scored one)."""
    from framing.scoring import flat_rows, profile

    profiles = documents if documents is not None else profile(scored)
    if fmt == "table":
        text = render_table(scored, profiles, width=terminal_width(output))
    elif fmt == "csv":
        flat = flat_rows(scored, documents).copy()
        if "evidence" in flat.columns:
            flat["evidence"] = flat["evidence"].map(
                lambda e: format_evidence(e) if isinstance(e, list) else "")
        text = flat.to_csv(index=False)
    elif fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n"
                       for r in records(flat_rows(scored, documents)))
    else:
        text = json.dumps(documents_json(scored, profiles), indent=2, ensure_ascii=False) + "\n"
    emit(text, output)


def emit(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from framing.files import write_text

        try:
            write_text(output, text)
        except OSError as exc:
            raise CLIError(f"cannot write {output} ({exc.strerror}); check that its folder is "
                           "writable and the disk has space") from None


def terminal_width(output: str) -> int:
    if output == "-" and sys.stdout.isatty():
        return max(60, min(shutil.get_terminal_size().columns, 140))
    return 100


def format_evidence(pairs) -> str:
    return ", ".join(f"{name} {weight:+.2f}" for name, weight in pairs) or "(none)"


def render_table(scored: pd.DataFrame, profiles: pd.DataFrame, width: int = 100) -> str:
    """Each sentence with its label and confidence, then the document profile."""
    lines = []
    for prof in profiles.to_dict("records"):
        doc = prof["doc"]
        group = scored[scored["doc"] == doc]
        # The number column grows with the document: rows stay aligned past 999.
        n = max(3, len(str(int(group["sentence"].max())))) if len(group) else 3
        indent = " " * (n + 19)
        lines.append(f"== {doc}")
        if prof.get("note"):
            lines.append(f"note: {prof['note']}")
        lines.append(f"{'#':>{n}}  {'label':<10} {'conf':>4}  sentence")
        for row in group.itertuples(index=False):
            if getattr(row, "kind", "sentence") == "heading":
                head = f"{'':>{n}}  {'(heading)':<10} {'':>4}  "
            else:
                head = f"{row.sentence:>{n}}  {SHORT[row.label]:<10} {row.confidence:.2f}  "
            # (control characters would act on the terminal: the other formats keep them)
            body = textwrap.wrap(terminal_safe(" ".join(row.text.split())),
                                 width=max(30, width - len(head)))
            lines.append(head + (body[0] if body else ""))
            lines.extend(indent + b for b in body[1:])
            if "evidence" in group.columns and isinstance(row.evidence, list):
                lines.extend(textwrap.wrap(format_evidence(row.evidence), width=width,
                                           initial_indent=indent + "evidence: ",
                                           subsequent_indent=indent + " " * 10,
                                           break_long_words=False))
        dominant = prof["dominant_act"] or "none"
        tied = [a for a in ACTS if a != prof["dominant_act"] and prof["dominant_act"]
                and prof[f"n_{a}"] == prof[f"n_{prof['dominant_act']}"]]
        if tied:  # the codebook's priority breaks the tie; say so
            dominant += f" (tied with {' and '.join(tied)})"
        headings = prof.get("n_headings", 0)
        unscored = f" ({_count(headings, 'heading')} not scored)" if headings else ""
        lines.append("")
        lines.append(f"Profile: {_count(prof['n_sentences'], 'sentence')}{unscored}, "
                     f"dominant act: {dominant}")
        for label in LABELS:
            share = prof[f"share_{label}"]
            bar = "█" * round(share * 30)
            lines.append(f"  {label:<22} {prof[f'n_{label}']:>4}  {share:>6.1%}  {bar}")
        lines.append("")
    if profiles.empty:
        lines.append("no sentences found")
    else:
        lines.extend(textwrap.wrap(f"({DOMINANT_MEANS})", width=min(width, 80)))
    return "\n".join(lines).rstrip("\n") + "\n"


@cli.command()
@click.argument("text")
@click.option("--model", "model_path", default=None,
              help="Model file or name from `framing models` (default: your trained model, "
                   "else the installed one).")
@click.option("-k", "top", default=8, show_default=True, type=click.IntRange(min=1),
              help="Features shown per label.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def explain(text, model_path, top, fmt):
    """The full breakdown for one sentence (or a short text): for every label, its
    probability and the features pushing towards and away from it.  TEXT '-'
    reads standard input; put -- before a TEXT that starts with '-'.

    Word features are masked n-grams (_ent_: a named actor, _num_: a number);
    cue:... features come from the rhetorical lexicons and context.

    \b
    Examples:
      framing explain "If Washington had genuine concerns, it could have called us."
      framing explain "We call on the council to lift the ban." --format json
      framing explain -- "- Restore funding to rural clinics."
      echo "The ministry must lift the ban." | framing explain -
    """
    from framing.explain import breakdown
    from framing.model import load_linear

    if text == "-":
        from framing.scoring import decode_text

        text = decode_text(sys.stdin.buffer.read(), "standard input")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes of another encoding, kept by Python as surrogates
        raise CLIError("the text is not valid UTF-8; set the terminal to UTF-8, or convert "
                       "it and pass it on standard input: framing explain -") from None
    if not text.strip():
        raise CLIError("nothing to explain: give a sentence in quotes")
    linear, _ = load_linear(resolve_model(model_path))
    result = breakdown(linear, text, k=top)
    if not result["sentences"]:
        what = (f"only {_count(len(result['headings']), 'heading')} "
                f"({result['headings'][0][:60]!r}), which framing does not score"
                if result["headings"] else "no sentence")
        raise CLIError(f"nothing to explain: the text holds {what}; give a sentence in quotes")
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    lines = [f"(heading, not scored) {heading}" for heading in result["headings"]]
    if lines:
        lines.append("")
    for sentence in result["sentences"]:
        lines.append(f"#{sentence['sentence']} {sentence['text']}")
        lines.append(f"   → {sentence['label']} ({sentence['confidence']:.2f})")
        for label, part in sorted(sentence["labels"].items(),
                                  key=lambda kv: -kv[1]["probability"]):
            lines.append(f"   {label:<22} p={part['probability']:.3f}")
            for head, pairs in (("for:    ", part["for"]), ("against:", part["against"])):
                lines.extend(textwrap.wrap(format_evidence(pairs), width=80,
                                           initial_indent=f"      {head} ",
                                           subsequent_indent=" " * 15, break_long_words=False))
        lines.append("")
    click.echo(terminal_safe("\n".join(lines).rstrip()))


# --- train ------------------------------------------------------------------------

@cli.command()
@click.option("--labels", "label_paths", multiple=True, type=click.Path(),
              default=["labels"], show_default=True,
              help="Label CSV file or folder of them; repeat for several.")
@click.option("--documents", "document_dirs", multiple=True, type=click.Path(),
              default=["seeds", "corpus/written"], show_default=True,
              help="Folder of labelled .txt documents (with documents.csv); repeatable.")
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="Where to write the model, card beside it (default: framing.joblib in your "
                   "model folder, which every command then uses; FRAMING_HOME moves the folder).")
@click.option("--force", is_flag=True,
              help="Overwrite an existing model at --output instead of keeping it as a "
                   "version in versions/ beside it.")
@click.option("--no-eval", is_flag=True, help="Skip the held-out evaluation (faster).")
@click.option("--learning-curve", "curve", is_flag=True,
              help="Also measure macro-F1 against the number of training documents "
                   "(slower; written to the model card).")
@click.option("-j", "--jobs", default=1, show_default=True, type=JOBS,
              help="Parallel processes for the cross-validation folds (-1: all cores).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the metrics.")
def train(label_paths, document_dirs, output, force, no_eval, curve, jobs, fmt):
    """Retrain from hand labels, print held-out metrics, write the model and its card.

    Metrics are held out by document and by topic, never by random sentences.
    The previous model is kept in versions/ beside the new one (see
    `framing models`); label files are validated first and training refuses
    invalid data.

    The new model becomes the default of every command (and of the Python
    API) unless -o puts it elsewhere; `framing models` shows which model is
    used, and `--model installed` still reaches the one shipped with framing.

    \b
    Examples:
      framing train
      framing train --learning-curve --jobs 2
      framing train --labels labels --labels my_labels.csv -o mine.joblib
    """
    from framing.model import public_card, save_model
    from framing.registry import MODEL_NAME, archive, user_model_dir
    from framing.report_text import render_card_markdown, render_metrics
    from framing.training import train as train_model

    check_document_dirs(document_dirs)
    output = Path(output) if output else user_model_dir() / MODEL_NAME
    result = train_model(label_paths, document_dirs, evaluate=not no_eval, curve=curve,
                         n_jobs=jobs, progress=progress)
    output.parent.mkdir(parents=True, exist_ok=True)
    kept = None if force else archive(output)
    if kept:
        click.echo(f"framing: previous model kept as {kept}", err=True)
    path = save_model(result.pipeline, result.card, output, force=True)
    # The default model's card is MODEL_CARD.md; another model's is <name>_CARD.md.
    card_md = "MODEL_CARD.md" if path.stem == "framing" else f"{path.stem}_CARD.md"
    path.with_name(card_md).write_text(render_card_markdown(result.card), encoding="utf-8")
    if fmt == "json":
        click.echo(json.dumps(public_card(result.card), indent=2))
    else:
        click.echo(render_metrics(result.card))
    click.echo(f"framing: model written to {path}", err=True)


def progress(message: str) -> None:
    click.echo(f"framing: {message} ...", err=True)


def check_document_dirs(document_dirs) -> None:
    for folder in document_dirs:
        if not Path(folder).is_dir():
            raise CLIError(f"document folder {folder} not found; run from the project folder "
                           "or pass --documents DIR")


# --- evaluate ---------------------------------------------------------------------

@cli.command()
@click.option("--labels", "label_paths", multiple=True, type=click.Path(),
              help="Labelled test file(s) or folder: evaluate the trained model on them. "
                   "Without --labels, cross-validate on the project's labels instead.")
@click.option("--documents", "document_dirs", multiple=True, type=click.Path(),
              default=["seeds", "corpus/written"], show_default=True,
              help="Folders holding the labelled documents (with documents.csv).")
@click.option("--model", "model_path", default=None,
              help="Model file or version name to evaluate with --labels "
                   "(default: your trained model, else the installed one).")
@click.option("-j", "--jobs", default=1, show_default=True, type=JOBS,
              help="Parallel processes for cross-validation folds (-1: all cores).")
@click.option("--learning-curve", "curve", is_flag=True,
              help="Also print macro-F1 against the number of training documents.")
@click.option("--real", is_flag=True,
              help="The model on the real-text yardstick (realtext/ and labels/real/ of a "
                   "clone; the articles themselves are fetched once, see realtext/README.md).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people, json for scripts.")
def evaluate(label_paths, document_dirs, model_path, jobs, curve, real, fmt):
    """Print honest metrics: macro-F1, per-label precision/recall/F1, confusion matrix.

    Without --labels: grouped cross-validation on labels/ (held out by document
    and by topic), scores per genre, and the transfer test (train on written
    documents, test on the real seeds). With --labels: the trained model on
    that labelled file.

    \b
    Examples:
      framing evaluate
      framing evaluate --jobs 2 --learning-curve
      framing evaluate --labels my_test.csv --documents my_articles/
      framing evaluate --labels my_test.csv --format json
      framing evaluate --real --model models/versions/<version>.joblib
    """
    from framing.dataset import training_table
    from framing.evaluation import evaluate_model, learning_curve
    from framing.model import load_model
    from framing.report_text import render_one
    from framing.training import evaluate_table

    if not real:
        check_document_dirs(document_dirs)
    if real:
        from framing.realtext import evaluate_real

        results = {"real_text_as_trained": evaluate_real(load_model(resolve_model(model_path)))}
    elif label_paths:
        pipeline, card = load_model(resolve_model(model_path))
        table = training_table(label_paths, document_dirs)
        results = {"labelled_file": evaluate_model(pipeline, card, table)}
    else:
        table = training_table(["labels"], document_dirs)
        results = evaluate_table(table, progress=progress, n_jobs=jobs)
        if curve:
            progress("learning curve")
            results["learning_curve"] = learning_curve(table, n_jobs=jobs)
    if fmt == "json":
        click.echo(json.dumps(results, indent=2))
        return
    blocks = [render_one(name, m) for name, m in results.items() if isinstance(m, dict)]
    seen = results.get("labelled_file", {}).get("seen_in_training", 0)
    if seen:
        blocks.append(textwrap.fill(
            f"warning: {seen} of these sentences were in the model's training data; figures "
            "over them are not held out.", width=80, subsequent_indent="  "))
    for point in results.get("learning_curve", []):
        blocks.append(f"learning curve: {point['documents']:>4} documents  "
                      f"macro-F1 {point['macro_f1']:.3f}")
    click.echo("\n\n".join(blocks))


# --- batch / summarize ---------------------------------------------------------------

@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False),
              help="Output folder (created; resumable).")
@click.option("--text-column", default="text", show_default=True,
              help="Column holding the article text (CSV/TSV, JSON Lines, Parquet).")
@click.option("--id-column", default=None,
              help="Column holding the document id (default: FILE:ROW).")
@click.option("-j", "--jobs", default=1, show_default=True, type=JOBS,
              help="Worker processes (-1: all cores); with --engine dask, local workers.")
@click.option("--chunk-size", default=500, show_default=True, type=click.IntRange(min=1),
              help="Documents per task; also the unit of resuming.")
@click.option("--max-chars", default=1_000_000, show_default=True,
              type=click.IntRange(min=1), help="Longer documents go to errors.csv.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster.")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (tcp://host:8786); default: a local cluster.")
@click.option("--model", "model_path", default=None,
              help="Model file or name from `framing models` (default: your trained model, "
                   "else the installed one).")
@click.option("--force", is_flag=True,
              help="Redo a finished run or replace another run's outputs in OUT; only "
                   "files framing wrote are removed.")
@click.option("--any-language", is_flag=True,
              help="Score documents that are not in English too (by default they go to "
                   "errors.csv with the language found).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def batch(inputs, out, text_column, id_column, jobs, chunk_size, max_chars, engine,
          scheduler, model_path, force, any_language, quiet):
    """Score a corpus: folders of .txt (recursively), CSV/TSV, JSON Lines or Parquet
    files (plain or .gz), into OUT/sentences.parquet, documents.parquet/.csv,
    errors.csv and run.json.

    Every other input column (outlet, date, url, ...) is carried through. An
    interrupted run resumes where it stopped when the same command is run
    again. Exit status 0: every document scored; 3: some documents are in
    errors.csv; 1: nothing was done (bad input, model or output folder).

    \b
    Examples:
      framing batch corpus/ -o out/
      framing batch articles.csv --text-column body --id-column url -o out/
      framing batch dump.jsonl.gz -o out/ --jobs 2
      framing batch huge.parquet -o out/ --engine dask --scheduler tcp://scheduler:8786
    """
    from framing.batchrun import batch as run_batch
    from framing.corpus import BatchOptions

    options = BatchOptions(text_column=text_column, id_column=id_column, chunk_size=chunk_size,
                           max_chars=max_chars, jobs=jobs, engine=engine, scheduler=scheduler,
                           force=force, any_language=any_language)
    with Progress(quiet) as bar:
        result = run_batch(inputs, out, options, model_path=resolve_model(model_path),
                           progress=bar.update, total=bar.set_total)
    scored = result.sentences - result.resumed_sentences
    resumed = (f"; {result.resumed_chunks:,} chunks done by an earlier run"
               if result.resumed_chunks else "")
    click.echo(f"framing: {_count(result.documents, 'document')}, "
               f"{_count(result.sentences, 'sentence')} in "
               f"{result.seconds:.1f} s ({scored / max(result.seconds, 1e-9):,.0f} "
               f"sentences/s{resumed}); {_count(result.errors, 'error')}; outputs in {out}",
               err=True)
    if result.errors:
        click.echo(f"framing: {_count(result.errors, 'document')} could not be scored; see "
                   f"{Path(out) / 'errors.csv'}", err=True)
        raise click.exceptions.Exit(3)


class Progress:
    """A tqdm bar on a terminal; a log line every 10 s otherwise; nothing if quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.docs = self.sentences = 0
        self.start = self.last = 0.0
        self.total: int | None = None
        self.bar = None

    def __enter__(self):
        self.start = self.last = time.monotonic()
        if not self.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" docs", desc="framing", file=sys.stderr, smoothing=0.1)
        return self

    def set_total(self, total: int | None) -> None:
        """Known document count: the bar shows a percentage and an ETA."""
        self.total = total
        if self.bar is not None and total:
            self.bar.total = total
            self.bar.refresh()

    def update(self, docs: int, sentences: int) -> None:
        self.docs += docs
        self.sentences += sentences
        now = time.monotonic()
        rate = self.sentences / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(docs)
            self.bar.set_postfix_str(f"{rate:,.0f} sentences/s", refresh=False)
        elif not self.quiet and now - self.last >= 10:
            self.last = now
            of = f" of {self.total:,}" if self.total else ""
            click.echo(f"framing: {self.docs:,}{of} documents, {self.sentences:,} sentences, "
                       f"{rate:,.0f} sentences/s", err=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False


def keep_summary(text: str, path: Path, force: bool) -> None:
    """Keep a summary in the batch folder, replacing only an earlier summary
    of the same groups (same header line) unless --force."""
    if path.exists() and not force:
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = fh.readline().rstrip("\r\n")
        if header != text.split("\n", 1)[0]:
            click.echo(f"framing: warning: {path} exists and is not a summary framing wrote; "
                       "left as it is (pass --force to replace it)", err=True)
            return
    emit(text, str(path))


@cli.command()
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--by", "by", multiple=True,
              help="Metadata column, or month/year/week/day of the date column; repeatable.")
@click.option("--date-column", default=None,
              help="Column with dates for --by month/year (default: date, published, ...).")
@output_options
def summarize(out, by, date_column, fmt, output, force):
    """Label shares per group of documents in a `framing batch` output folder.

    Prints the table; without -o it also keeps it as OUT/summary_<groups>.csv
    (with -o, only the file you name is written).

    \b
    Examples:
      framing summarize out/ --by outlet
      framing summarize out/ --by outlet --by month
      framing summarize out/ --by year --date-column published --format csv
    """
    from framing.summary import summarize as summarize_run
    from framing.summary import unscored

    check_output(output, force, inputs=run_files([out]))
    table = summarize_run(out, by, date_column=date_column)
    skipped = unscored(out)
    if skipped:
        click.echo(f"framing: warning: not in the table: {_count(skipped, 'document')} of "
                   f"this run that could not be scored (see {Path(out) / 'errors.csv'})",
                   err=True)
    if output == "-":
        name = "_".join(by) if by else "all"
        keep_summary(table.to_csv(index=False), Path(out) / f"summary_{name}.csv", force)
    if fmt == "table":
        shown = table.copy()
        for column in [c for c in shown.columns if c.startswith("share_")]:
            shown[column] = (shown[column] * 100).map("{:.1f}%".format)
        keep = [c for c in shown.columns if not (c.startswith("n_") and c != "n_documents"
                                                   and c != "n_sentences")]
        # Short headers: the table fits 80 columns (--format csv has the full names).
        shown = shown[keep].rename(columns=lambda c: c.replace("share_", "%").replace(
            "policy_recommendation", "policy").replace("neutral_reporting", "neutral").replace(
            "accusation", "accus").replace("n_documents", "docs").replace(
            "n_sentences", "sentences").replace("dominant_act", "dominant"))
        if "dominant" in shown.columns:
            shown["dominant"] = shown["dominant"].replace(
                {"policy_recommendation": "policy", "neutral_reporting": "neutral"})
        text = shown.to_string(index=False) + "\n"
    elif fmt == "csv":
        text = table.to_csv(index=False)
    elif fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(table))
    else:
        text = json.dumps(records(table), indent=2, ensure_ascii=False) + "\n"
    emit(text, output)


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The report HTML; charts (PNG) and article views go to <name>_files/.")
@click.option("--by", "by", multiple=True,
              help="Group by this metadata column (or month/year of the date); repeatable.")
@click.option("--date-column", default=None, help="Column with dates (default: date, ...).")
@click.option("--top", default=5, show_default=True, type=click.IntRange(min=1),
              help="Documents and examples per label.")
@click.option("--force", is_flag=True, help="Overwrite an existing report.")
def report(out, output, by, date_column, top, force):
    """A corpus report from a `framing batch` output: label shares per group as
    charts, acts over time, the documents with the highest share of each act
    and the most confident example sentences, linked to their article views.

    \b
    Examples:
      framing report out/ -o report.html --by outlet
      framing report out/ -o report.html --by outlet --by year --date-column published
    """
    from framing.report import report as write_report

    if Path(output).suffix.lower() not in (".html", ".htm"):
        raise CLIError(f"{output}: the report is an HTML page; name it .html (its charts are "
                       "PNG files beside it)")
    check_output(output, force, inputs=run_files([out]))
    files = Path(output).with_name(f"{Path(output).stem}_files")
    if not force and files.is_dir() and any(files.iterdir()):
        raise CLIError(f"{files} exists and is not empty; pass --force to replace the "
                       "report's charts and article views in it (other files are kept)")
    path = write_report(out, output, by, date_column=date_column, top=top)
    click.echo(f"framing: report written to {path} (charts and article views in "
               f"{path.stem}_files/)", err=True)


# --- the retraining loop ---------------------------------------------------------------

def check_answers_file(source: Path, out: Path) -> None:
    """`framing label` appends to *out*: it must not be *source*, and an
    existing one must be an answers file (framing's header), or the answers
    would corrupt a file of the user's."""
    from framing.annotate import OUT_COLUMNS
    from framing.files import same_file

    if same_file(source, out):
        raise CLIError(f"{out} is the file being labelled; write the answers to another file "
                       "with -o")
    if out.is_dir():
        raise CLIError(f"{out} is a folder; give -o a file name, e.g. {out / 'answers.csv'}")
    if out.exists() and out.stat().st_size:
        with open(out, encoding="utf-8", errors="replace") as fh:
            header = fh.readline().strip().lstrip("\ufeff")
        if header != ",".join(OUT_COLUMNS):
            raise CLIError(f"{out} exists and is not a framing answers file; choose another "
                           "-o (answers are appended to it)")


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-n", "count", default=100, show_default=True, type=click.IntRange(min=1),
              help="How many sentences to suggest.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The to-do CSV to write (label it with `framing label`).")
@click.option("--labels", "label_paths", multiple=True, default=["labels"], show_default=True,
              help="Label files/folders whose sentences (and near-duplicates) are excluded.")
@click.option("--per-document", default=3, show_default=True, type=click.IntRange(min=1),
              help="At most this many sentences from one document.")
@click.option("--model", "model_path", default=None,
              help="Model for text inputs (batch outputs carry their own probabilities).")
@click.option("--for", "tool", type=click.Choice(["csv", "label-studio", "doccano", "prodigy"]),
              default="csv", show_default=True,
              help="Write tasks to import into this annotation tool instead of a to-do CSV; "
                   "their exports can go into labels/ as they are.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
def suggest(sources, count, output, label_paths, per_document, model_path, tool, force):
    """Pick the sentences whose labels the model is least sure of, worth labelling next.

    SOURCES are `framing batch` output folders (or their sentences.parquet) and
    .txt files or folders. Picks are spread over documents and over the model's
    guessed labels, and never near-duplicates of each other or of sentences
    already labelled. The CSV has the neighbouring sentences, the model's guess
    and an empty label column: fill it in a spreadsheet or with `framing label`.

    With --for label-studio, doccano or prodigy it writes tasks for that tool
    (JSON for Label Studio, JSON Lines for the others); put the tool's export
    of the labelled tasks into labels/ and `framing train` reads it.

    \b
    Examples:
      framing suggest out/ -n 100 -o labels/todo.csv
      framing suggest new_articles/ -n 50 -o labels/todo.csv --per-document 2
      framing suggest out/ -n 200 --for label-studio -o tasks.json
      framing suggest out/ -n 200 --for prodigy -o tasks.jsonl
    """
    from framing.active import suggest as suggest_rows
    from framing.labels import label_files, read_labels

    check_output(output, force, inputs=[*sources, *run_files(sources)])
    if tool == "label-studio":  # its labelling config goes beside the tasks
        check_output(str(Path(output).with_suffix(".xml")), force)
    existing = [p for p in label_paths if Path(p).exists()]
    for missing in (p for p in label_paths if not Path(p).exists()):
        if tuple(label_paths) != ("labels",):  # (the default need not exist)
            click.echo(f"framing: warning: --labels {missing} does not exist: no sentence is "
                       "left out as already labelled for it", err=True)
    labelled = (read_labels(label_files(existing))["text"].tolist() if existing else [])
    model = load_model_or_none(model_path)
    table = suggest_rows(sources, count, model=model, labelled=labelled,
                         per_document=per_document)
    if tool == "csv":
        emit(table.to_csv(index=False), output)
        click.echo(f"framing: {len(table)} sentences to label written to {output}; next: "
                   f"framing label {output}", err=True)
        return
    from framing.interop import LABEL_STUDIO_CONFIG, write_tasks

    emit(write_tasks(table, tool), output)
    hint = (f" (labelling config: {Path(output).with_suffix('.xml')})"
            if tool == "label-studio" else "")
    if tool == "label-studio":
        emit(LABEL_STUDIO_CONFIG, str(Path(output).with_suffix(".xml")))
    click.echo(f"framing: {len(table)} {tool} tasks written to {output}{hint}; put the "
               "tool's export of the labelled tasks into labels/", err=True)


def load_model_or_none(model_path):
    from framing.model import load_model

    return load_model(resolve_model(model_path)) if model_path else None


@cli.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, allow_dash=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where answers are appended (default: SOURCE with .labels.csv; required "
                   "for an article).")
@click.option("--model", "model_path", default=None,
              help="Model whose guesses are shown for an article.")
def label(source, output, model_path):
    """Label sentences in the terminal, one key each; resumes where it stopped.

    SOURCE is a to-do CSV from `framing suggest` or an article (.txt). Each
    sentence is shown with its neighbours and the model's guess. Keys: a/1
    accusation, d/2 defence, p/3 policy_recommendation, n/4 neutral_reporting,
    s skip, u undo, c comment (a note), q quit, ? help. Every answer is
    appended to the output CSV and flushed at once. Answers can also be piped
    in, one per line.

    \b
    Examples:
      framing label labels/todo.csv
      framing label article.txt -o labels/mine.csv
      printf 'a\\nn\\nq\\n' | framing label labels/todo.csv
    """
    from framing.annotate import rows_from_article, session
    from framing.labels import read_csv_table
    from framing.scoring import read_text

    source = Path(source)
    if source.suffix.lower() == ".csv":
        todo = read_csv_table(source)
        missing = [c for c in ("document", "start", "end", "text") if c not in todo.columns]
        if missing:
            raise CLIError(f"{source} has no {missing[0]} column; make it with "
                           "`framing suggest` or label an article (.txt) instead")
        out = Path(output) if output else source.with_suffix(".labels.csv")
    else:
        if not output:
            raise CLIError("labelling an article needs -o FILE.csv for the answers")
        out = Path(output)
    check_answers_file(source, out)
    if source.suffix.lower() != ".csv":
        todo = rows_from_article(source, read_text(source), out, load_model_or_none(model_path)
                                 or None)
    interactive = sys.stdin.isatty()

    def read_key() -> str:
        if interactive:
            key = click.getchar()
            return "q" if key in ("\x03", "\x04") else key
        line = sys.stdin.readline()
        return line if line else ""

    def read_line(prompt: str) -> str:
        if interactive:
            return click.prompt(prompt.strip(), default="", show_default=False)
        return sys.stdin.readline().rstrip("\n")

    counts = session(todo, out, read_key=read_key, read_line=read_line,
                     show=lambda text: click.echo(text),
                     width=terminal_width("-") if sys.stdout.isatty() else 80)
    click.echo(f"framing: {counts['labelled']} labelled, {counts['skipped']} skipped, "
               f"{counts['remaining']} left; answers in {out}", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--by", type=click.Choice(["span", "text"]), default="span", show_default=True,
              help="Match sentences by document and span, or by their text.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--max-shown", default=20, show_default=True, type=click.IntRange(min=0),
              help="How many disagreements to list in the table.")
def agree(files, by, fmt, max_shown):
    """Agreement between annotators: Cohen's kappa (two files), Krippendorff's
    alpha (any number), the confusion between them and the disagreements.

    \b
    Examples:
      framing agree labels/alice.csv labels/bob.csv
      framing agree a.csv b.csv c.csv --by text --format json
    """
    from framing.agreement import agree as agreement
    from framing.report_text import ABBR

    result = agreement(files, by=by)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    where = "both files" if len(files) == 2 else f"all {len(files)} files"
    # Files by their names (stems), unless two share one; long lines wrap at
    # 80 columns between words.
    stems = [Path(f).stem for f in files]
    name = dict(zip(files, stems if len(set(stems)) == len(stems) else files, strict=True))

    def wrapped(text: str, indent: str = "  ", first: str = "") -> list[str]:
        return textwrap.wrap(text, width=80, initial_indent=first, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)

    lines = [f"{_count(result['n_sentences'], 'sentence')} labelled in {where} "
             f"(matched by {by})", f"raw agreement        {result['raw_agreement']:.1%}"]
    if "cohen_kappa" in result:
        lines.append(f"Cohen's kappa        {result['cohen_kappa']:.3f}")
    lines.append(f"Krippendorff's alpha {result['krippendorff_alpha']:.3f}")
    for pair, kappa in result.get("pairwise_kappa", {}).items():
        first, second = pair.split(" ~ ", 1)
        lines.extend(wrapped(f"kappa {name.get(first, first)} ~ {name.get(second, second)}: "
                             f"{kappa:.3f}", "    ", "  "))
    if "confusion" in result:
        c = result["confusion"]
        lines.extend(wrapped(f"confusion (rows {name.get(c['rows'], c['rows'])}, columns "
                             f"{name.get(c['columns'], c['columns'])}):"))
        lines.append(" " * 24 + "".join(f"{ABBR[lab]:>6}" for lab in c["labels"]))
        for lab, row in zip(c["labels"], c["matrix"], strict=True):
            lines.append(f"  {lab:<22}" + "".join(f"{v:>6}" for v in row))
    shown = result["disagreements"][:max_shown]
    if shown:
        lines.append(f"disagreements ({len(result['disagreements'])}):")
        for d in shown:
            line = f"{d['document']}: {' '.join(d['text'].split())}"
            lines.append("  " + textwrap.shorten(line, width=78, placeholder=" …"))
            lines.extend(wrapped(", ".join(f"{name[f]}={d[f]}" for f in files),
                                 " " * 6, " " * 6))
    click.echo("\n".join(lines))


@cli.command()
@click.option("--dir", "directory", default=None, type=click.Path(file_okay=False),
              help="Folder holding the models (default: your model folder).")
@output_options
def models(directory, fmt, output, force):
    """List your models, their versions and the installed model: date, training
    data hash, label counts, real-text and held-out macro-F1; * marks the one
    every command uses.

    The rule: --model if given; else the FRAMING_MODEL environment variable;
    else framing.joblib in your model folder (written by `framing train`;
    FRAMING_HOME moves the folder); else the installed model. Use a name from
    the list, `current` or `installed` with --model.

    \b
    Examples:
      framing models
      framing score article.txt --model 20261123T1532
      framing score article.txt --model installed
      FRAMING_MODEL=~/models/mine.joblib framing score article.txt
    """
    from framing.registry import list_models, user_model_dir

    check_output(output, force)
    table = list_models(directory)
    if table.empty:
        raise CLIError(f"no models in {directory or user_model_dir()} and none installed; "
                       "run `framing train`")
    if fmt == "table":
        text = models_table(table)
    elif fmt == "csv":
        text = table.to_csv(index=False)
    elif fmt == "jsonl":
        text = "".join(json.dumps(r) + "\n" for r in records(table))
    else:
        text = json.dumps(records(table), indent=2) + "\n"
    emit(text, output)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but this machine's own is an explicit "
                   "choice (there is no authentication).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--model", "model_path", default=None,
              help="Model file or name from `framing models` (default: your trained model, "
                   "else the installed one).")
@click.option("--max-mb", default=2.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Largest request body, in megabytes (larger: 413).")
@click.option("--max-documents", default=50, show_default=True, type=click.IntRange(min=1),
              help="Most documents in one request (more: 422).")
def serve(host, port, model_path, max_mb, max_documents):
    """A local web page (paste text or drop files, see every sentence labelled)
    and a JSON API (POST /api/score, GET /api/health, GET /api/model; described
    at /docs and /openapi.json). Needs the serve extra: pip install "framing[serve]".

    \b
    Examples:
      framing serve                       # then open http://127.0.0.1:8000/
      framing serve --port 9000 --model installed
      curl -s localhost:8000/api/score -H 'content-type: application/json' \\
           -d '{"text": "The ministry must lift the ban."}'
    """
    try:
        import uvicorn

        from framing.server import create_app
    except ImportError:
        raise CLIError('framing serve needs its extra: pip install "framing[serve]"') from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"framing: warning: listening on {host}: anyone who can reach this machine "
                   "can use the service, and there is no authentication", err=True)
    app = create_app(resolve_model(model_path), max_bytes=int(max_mb * 1_000_000),
                     max_documents=max_documents)
    import os
    import socket

    # uvicorn would say only "address already in use" after our banner: check first.
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):
            pass
    except OSError as exc:
        why = os.strerror(exc.errno) if exc.errno else str(exc)
        raise CLIError(f"cannot listen on {host}:{port} ({why}); pick another "
                       f"--port, e.g. --port {port + 1}") from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"framing: serving on http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def models_table(table: pd.DataFrame) -> str:
    """`framing models` for people, within 80 columns: the full record is in
    --format csv/json."""
    def f1(value) -> str:
        return "" if value is None or value != value else f"{value:.3f}"

    lines = [f"  {'name':<30} {'trained':<10} {'sentences':>9} {'real F1':>8} {'topic F1':>8}"]
    for row in table.itertuples():
        mark = "*" if row.current else " "
        sentences = "" if row.sentences is None or row.sentences != row.sentences \
            else f"{int(row.sentences):,}"
        lines.append(f"{mark} {row.name[:30]:<30} {str(row.trained_at)[:10]:<10} "
                     f"{sentences:>9} {f1(row.macro_f1_real):>8} {f1(row.macro_f1_topic):>8}")
    lines.append("* the model every command uses (`framing models --help` says why)")
    return "\n".join(lines) + "\n"


@cli.command()
@click.option("--model", "model_path", default=None,
              help="Model to export (default: your trained model, else the installed one).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The .skops file to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
def export(model_path, output, force):
    """Write a model in the skops format, safe to share: loading it runs no code.

    A joblib model runs code when it is loaded; a .skops file given to
    --model is loaded trusting only scikit-learn's and framing's own types,
    and a file containing anything else is refused.

    \b
    Examples:
      framing export -o framing-model.skops
      framing score article.txt --model framing-model.skops
    """
    from framing.model import load_model
    from framing.registry import export_skops

    if not output.endswith(".skops"):
        raise CLIError(f"{output}: the file name must end in .skops")
    pipeline, card = load_model(resolve_model(model_path))
    path = export_skops(pipeline, card, output, force=force)
    click.echo(f"framing: model exported to {path}", err=True)


# --- entry point -------------------------------------------------------------------

def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


class _EchoHandler(logging.Handler):
    """Warnings to whatever standard error is now (not the one of the first call)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error becomes one line on stderr and a non-zero exit."""
    # framing's prefix for framing's own warnings only: other libraries' log
    # lines (Dask's) keep theirs, and are quiet unless something is wrong.
    own = logging.getLogger("framing")
    if not any(isinstance(h, _EchoHandler) for h in own.handlers):
        handler = _EchoHandler()
        handler.setFormatter(logging.Formatter("framing: warning: %(message)s"))
        own.addHandler(handler)
        own.setLevel(logging.WARNING)
        own.propagate = False
    for noisy in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        code = cli.main(args=argv, prog_name="framing", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click internals
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 2
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "framing"
        message = exc.format_message()
        if isinstance(exc, click.NoSuchOption) and not exc.option_name.startswith("--"):
            message = message.rstrip(".") + "; a text or file name that starts with '-' " \
                "goes after --"
        click.echo(f"framing: error: {message} (see `{command} --help`)", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("framing: interrupted", err=True)
        return 130
    except LabelError as exc:  # every problem, one line each: fix them all in one go
        for problem in exc.problems[:50]:
            click.echo(f"framing: error: {problem}", err=True)
        if len(exc.problems) > 50:
            click.echo(f"framing: error: ... and {len(exc.problems) - 50} more problems",
                       err=True)
        return 1
    except FramingError as exc:
        click.echo(f"framing: error: {exc}", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"framing: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except OSError as exc:  # a full disk or a read-only folder met while writing
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"framing: error: {where}{exc.strerror or exc}; check that the folder is "
                   "writable and the disk has space", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("framing: interrupted", err=True)
        return 130
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
