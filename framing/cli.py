"""Command line: argument parsing, output formatting, error → exit code; nothing else."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import textwrap
from pathlib import Path

import click
import pandas as pd

from framing.errors import FramingError
from framing.labels import LABELS

FORMATS = ("table", "csv", "jsonl", "json")
SHORT = {"accusation": "accusation", "defence": "defence",
         "policy_recommendation": "policy_rec", "neutral_reporting": "neutral"}


class CLIError(FramingError):
    """A problem with the command line itself."""


def output_options(func):
    """``--format`` and ``-o/--output``, shared by every row-printing command."""
    func = click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
                        default="-", show_default=True,
                        help="Write here instead of standard output ('-').")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True,
                        help="table for people; csv, jsonl (one sentence per line) "
                             "or json for programs.")(func)
    func = click.option("--force", is_flag=True,
                        help="Overwrite an existing --output file.")(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="framing")
def cli():
    """Tag every sentence of news and opinion text with the rhetorical act it
    performs: accusation, defence, policy_recommendation or neutral_reporting.

    \b
    Examples:
      framing score article.txt
      cat article.txt | framing score - --format jsonl
      framing train
    """


# --- score ------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model file (default: the model installed with framing).")
@output_options
def score(files, model_path, fmt, output, force):
    """Label every sentence of FILES ('-' reads standard input) and profile each document.

    \b
    Examples:
      framing score seeds/000_311a02848bb16e5f.txt
      framing score --format jsonl article.txt > sentences.jsonl
      cat article.txt | framing score -
      framing score a.txt b.txt --format csv -o scored.csv
    """
    from framing.model import load_model
    from framing.scoring import decode_text, read_text, score_texts

    check_output(output, force)
    model = load_model(model_path)
    texts = []
    for name in files:
        if name == "-":
            texts.append(("-", decode_text(sys.stdin.buffer.read(), "standard input")))
        else:
            texts.append((name, read_text(name)))
    write_scored(score_texts(texts, model), fmt, output)


def check_output(output: str, force: bool) -> None:
    if output != "-" and Path(output).exists() and not force:
        raise CLIError(f"{output} exists; pass --force to overwrite it")


def write_scored(scored: pd.DataFrame, fmt: str, output: str) -> None:
    from framing.scoring import profile

    profiles = profile(scored)
    if fmt == "table":
        text = render_table(scored, profiles, width=terminal_width(output))
    elif fmt == "csv":
        text = scored.to_csv(index=False)
    elif fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(scored))
    else:
        docs = []
        for doc, group in scored.groupby("doc", sort=False):
            prof = records(profiles[profiles["doc"] == doc])[0]
            docs.append({"doc": doc, "profile": prof, "sentences": records(group)})
        text = json.dumps({"documents": docs}, indent=2, ensure_ascii=False) + "\n"
    emit(text, output)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON-ready dicts, floats rounded to 6 places."""
    return [
        {k: (round(v, 6) if isinstance(v, float) else v.item() if hasattr(v, "item") else v)
         for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def emit(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        path = Path(output)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def terminal_width(output: str) -> int:
    if output == "-" and sys.stdout.isatty():
        return max(60, min(shutil.get_terminal_size().columns, 140))
    return 100


def render_table(scored: pd.DataFrame, profiles: pd.DataFrame, width: int = 100) -> str:
    """Each sentence with its label and confidence, then the document profile."""
    lines = []
    indent = " " * 22
    for doc, group in scored.groupby("doc", sort=False):
        lines.append(f"== {doc}")
        lines.append(f"{'#':>3}  {'label':<10} {'conf':>4}  sentence")
        for row in group.itertuples(index=False):
            head = f"{row.sentence:>3}  {SHORT[row.label]:<10} {row.confidence:.2f}  "
            body = textwrap.wrap(" ".join(row.text.split()), width=max(30, width - len(head)))
            lines.append(head + (body[0] if body else ""))
            lines.extend(indent + b for b in body[1:])
        prof = profiles[profiles["doc"] == doc].iloc[0]
        dominant = prof["dominant_act"] or "none"
        lines.append("")
        lines.append(f"Profile: {prof['n_sentences']} sentences, dominant act: {dominant}")
        for label in LABELS:
            share = prof[f"share_{label}"]
            bar = "█" * round(share * 30)
            lines.append(f"  {label:<22} {prof[f'n_{label}']:>4}  {share:>6.1%}  {bar}")
        lines.append("")
    if scored.empty:
        lines.append("no sentences found")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- train ------------------------------------------------------------------------

@cli.command()
@click.option("--labels", "label_paths", multiple=True, type=click.Path(),
              default=["labels"], show_default=True,
              help="Label CSV file or folder of them; repeat for several.")
@click.option("--documents", "document_dirs", multiple=True, type=click.Path(),
              default=["seeds", "corpus/written"], show_default=True,
              help="Folder of labelled .txt documents (with documents.csv); repeatable.")
@click.option("-o", "--output", default="models/framing.joblib", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the model (card beside it).")
@click.option("--force", is_flag=True, help="Overwrite an existing model at --output.")
@click.option("--no-eval", is_flag=True, help="Skip the held-out evaluation (faster).")
@click.option("--learning-curve", "curve", is_flag=True,
              help="Also measure macro-F1 against the number of training documents "
                   "(slower; written to the model card).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=-1),
              help="Parallel processes for the cross-validation folds (-1: all cores).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the metrics.")
def train(label_paths, document_dirs, output, force, no_eval, curve, jobs, fmt):
    """Retrain from hand labels, print held-out metrics, write the model and its card.

    Metrics are held out by document and by topic, never by random sentences.

    \b
    Examples:
      framing train --force
      framing train --force --learning-curve --jobs 2
      framing train --labels labels --labels my_labels.csv -o models/mine.joblib
    """
    from framing.model import public_card, save_model
    from framing.report_text import render_card_markdown, render_metrics
    from framing.training import train as train_model

    if Path(output).exists() and not force:
        raise CLIError(f"{output} exists; pass --force to overwrite it or -o to write elsewhere")
    check_document_dirs(document_dirs)
    result = train_model(label_paths, document_dirs, evaluate=not no_eval, curve=curve,
                         n_jobs=jobs, progress=progress)
    path = save_model(result.pipeline, result.card, output, force=force)
    Path(path).with_name("MODEL_CARD.md").write_text(render_card_markdown(result.card),
                                                     encoding="utf-8")
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
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model to evaluate with --labels (default: the installed model).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=-1),
              help="Parallel processes for cross-validation folds (-1: all cores).")
@click.option("--learning-curve", "curve", is_flag=True,
              help="Also print macro-F1 against the number of training documents.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people, json for scripts.")
def evaluate(label_paths, document_dirs, model_path, jobs, curve, fmt):
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
    """
    from framing.dataset import training_table
    from framing.evaluation import evaluate_model, learning_curve
    from framing.model import load_model
    from framing.report_text import render_one
    from framing.training import evaluate_table

    check_document_dirs(document_dirs)
    if label_paths:
        pipeline, card = load_model(model_path)
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
        blocks.append(f"warning: {seen} of these sentences were in the model's training data; "
                      "figures over them are not held out.")
    for point in results.get("learning_curve", []):
        blocks.append(f"learning curve: {point['documents']:>4} documents  "
                      f"macro-F1 {point['macro_f1']:.3f}")
    click.echo("\n\n".join(blocks))


# --- entry point -------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error becomes one line on stderr and a non-zero exit."""
    logging.basicConfig(format="framing: warning: %(message)s", level=logging.WARNING)
    try:
        cli.main(args=argv, prog_name="framing", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click internals
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 2
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "framing"
        click.echo(f"framing: error: {exc.format_message()} (see `{command} --help`)", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("framing: interrupted", err=True)
        return 130
    except FramingError as exc:
        click.echo(f"framing: error: {exc}", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"framing: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        click.echo("framing: interrupted", err=True)
        return 130
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
