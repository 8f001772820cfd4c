"""``vigil model``: train and evaluate the optional learned classifier."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from vigil import tool_version
from vigil.analysis.early_warning import WarningSettings
from vigil.cli.common import JsonOpt, console, err, print_json
from vigil.config import load_settings
from vigil.errors import UserError

app = typer.Typer(
    help="Optional learned classifier: train it on labelled chats and measure it. "
    "Vigil runs on its indicators alone when no model is configured.",
    no_args_is_help=True,
)

DataOpt = Annotated[
    Path,
    typer.Option(
        "--data", help="PAN12 corpus XML, or a CSV with header 'segment,label' (label 0 or 1)."
    ),
]
PredatorsOpt = Annotated[
    Path | None,
    typer.Option("--predators", help="PAN12 predator-id list (one author id per line)."),
]
WindowOpt = Annotated[
    int, typer.Option("--window", help="Early warning: messages the model sees each time.")
]
PositivesOpt = Annotated[
    int, typer.Option("--positives", help="Early warning: positive scores needed among --last.")
]
LastOpt = Annotated[int, typer.Option("--last", help="Early warning: recent scores counted.")]
ThresholdOpt = Annotated[
    float, typer.Option("--threshold", help="Score at or above which a segment is positive.")
]


def _settings(window: int, positives: int, last: int, threshold: float) -> WarningSettings:
    return WarningSettings(window=window, positives=positives, last=last, threshold=threshold)


def _out(text: str) -> None:
    console.print(text, soft_wrap=True)


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _n(x: float | None) -> str:
    return "n/a" if x is None else f"{x:g}"


def _print_metrics(m: dict[str, Any]) -> None:
    d, s, e = m["data"], m["segment"], m["early_warning"]
    _out(
        f"  chats: {d['chats']} ({d['positives']} positive, {d['negatives']} negative), "
        f"{d['messages']} messages"
    )
    _out(f"  whole chats (threshold {s['threshold']}):")
    _out(
        f"    precision {_f(s['precision'])}  recall {_f(s['recall'])}  F1 {_f(s['f1'])}  "
        f"F0.5 {_f(s['f0_5'])}"
    )
    _out(
        f"    PR-AUC {_f(s['pr_auc'])}  precision at 1% FPR {_f(s['precision_at_1pct_fpr'])} "
        f"(recall {_f(s['recall_at_1pct_fpr'])})"
    )
    _out(
        f"  message by message (window {e['window']}, warning at {e['positives']} of the last "
        f"{e['last']} positive):"
    )
    _out(
        f"    precision {_f(e['precision'])}  recall {_f(e['recall'])}  F1 {_f(e['f1'])}  "
        f"speed {_f(e['speed'])}  latency-weighted F1 {_f(e['latency_f1'])}  "
        f"median latency {_n(e['median_latency'])} messages"
    )


@app.command("train")
def train_cmd(
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="New folder for the model and its card.")],
    predators: PredatorsOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the held-out split.")] = 0,
    test_fraction: Annotated[
        float,
        typer.Option("--test-fraction", help="Share of each class held out for metrics (0: none)."),
    ] = 0.2,
    folds: Annotated[
        int, typer.Option("--folds", help="Cross-validation folds for the stacker.", min=2)
    ] = 5,
    c: Annotated[
        float,
        typer.Option(
            "--c",
            help="Inverse regularisation strength of the n-gram model (10: chosen by "
            "cross-validation on the research data; 1 and 30 scored alike or lower).",
        ),
    ] = 10.0,
    char_ngrams: Annotated[
        bool, typer.Option("--char-ngrams", help="Also use character 3-5 grams.")
    ] = False,
    window: WindowOpt = 50,
    positives: PositivesOpt = 5,
    last: LastOpt = 10,
    threshold: ThresholdOpt = 0.5,
    as_json: JsonOpt = False,
) -> None:
    """Fit the scorer on labelled chats (indicator weights, n-gram model, stacker and its operating
    point, with cross-validated figures); save it with a model card."""
    from vigil.analysis.learn.card import DECOY_WARNING
    from vigil.analysis.learn.model import FeatureConfig, TrainingConfig
    from vigil.analysis.learn.service import train_from_files

    config = TrainingConfig(
        features=FeatureConfig(char_ngrams=(3, 5), hasher="sklearn")
        if char_ngrams
        else FeatureConfig(),
        c=c,
        seed=seed,
    )
    report = train_from_files(
        data,
        out,
        predators=predators,
        config=config,
        test_fraction=test_fraction,
        folds=folds,
        settings=_settings(window, positives, last, threshold),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        tool=tool_version(),
    )
    if as_json:
        print_json({"out": str(report.out), "card": report.card, "notes": report.notes})
        return
    card = report.card
    _out(f"[bold]model saved[/bold] to {report.out}")
    _out(f"  model file sha256 {card['model_file']['sha256']}")
    tr, ho = card["data"]["train"], card["data"]["held_out"]
    cv = card["cross_validated"]
    _out(f"  trained on {tr['chats']} chats; cross-validated ({cv['folds']} folds):")
    for part in ("indicators_out_of_fold", "model_out_of_fold", "stacked_out_of_fold"):
        fig = cv[part]
        _out(
            f"    {part.replace('_', ' ')}: ROC-AUC {fig['roc_auc']}, average precision "
            f"{fig['average_precision']}, flagged F1 {fig['flagged']['f1']} "
            f"at FPR {fig['flagged']['fpr']}"
        )
    if ho:
        _out(f"  held out {ho['chats']} for the metrics:")
        _print_metrics({"data": ho, **card["metrics"]["held_out"]})
    for note in report.notes:
        _out(f"  note: {note}")
    err.print(f"warning: {DECOY_WARNING}", soft_wrap=True)


@app.command("evaluate")
def evaluate_cmd(
    data: DataOpt,
    predators: PredatorsOpt = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model", help="Model folder (default: VIGIL_MODEL_DIR, else the shipped model)."
        ),
    ] = None,
    window: WindowOpt = 50,
    positives: PositivesOpt = 5,
    last: LastOpt = 10,
    threshold: ThresholdOpt = 0.5,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="Another model folder: rank the data with both (as triage would) and say "
            "which puts the concerning chats higher.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure a saved model on labelled chats, whole and message by message (eSPD); with
    --against, compare two models' rankings of the same chats side by side."""
    from vigil.analysis.learn.bundle import resolve_model_dir
    from vigil.analysis.learn.card import DECOY_WARNING
    from vigil.analysis.learn.service import evaluate_from_files

    model_dir = model or resolve_model_dir(load_settings().model_dir)
    if model_dir is None:
        raise UserError(
            "no model given", hint="pass --model DIR or set VIGIL_MODEL_DIR to a trained model"
        )
    if against is not None:
        _compare(data, Path(model_dir), against, predators, as_json)
        return
    report = evaluate_from_files(
        data,
        Path(model_dir),
        predators=predators,
        settings=_settings(window, positives, last, threshold),
    )
    if as_json:
        print_json({**report.as_dict(), "warning": DECOY_WARNING})
        return
    _out(f"[bold]{report.model_dir}[/bold] (model sha256 {report.model_sha256})")
    _print_metrics(report.evaluation.as_dict())
    for note in report.notes:
        _out(f"  note: {note}")
    err.print(f"warning: {DECOY_WARNING}", soft_wrap=True)


def _compare(
    data: Path, model_dir: Path, against: Path, predators: Path | None, as_json: bool
) -> None:
    from vigil import LEAD_NOT_VERDICT
    from vigil.analysis.learn.service import compare_from_files

    c = compare_from_files(data, model_dir, against, predators=predators)
    if as_json:
        print_json({**c.as_dict(), "note": LEAD_NOT_VERDICT})
        return
    d = c.data
    _out(
        f"ranking {d['chats']} labelled chats ({d['positives']} concerning, "
        f"{d['negatives']} not) with both models' whole scorers, as triage ranks:"
    )
    width = max(len(str(r.model_dir)) for r in (c.first, c.second))
    _out(f"  {'model':<{width}}  ROC-AUC  PR-AUC  top-k precision  flagged precision / recall")
    for r in (c.first, c.second):
        f = r.flagged
        _out(
            f"  {r.model_dir!s:<{width}}  {_f(r.roc_auc):>7}  {_f(r.average_precision):>6}  "
            f"{_f(r.top_precision):>15}  {_f(f.precision)} / {_f(f.recall)}"
        )
    if c.better is None:
        _out("  [bold]the two rank these decisions alike[/bold]")
    else:
        win = c.first if c.better == "first" else c.second
        _out(f"  [bold]{win.model_dir} ranks these decisions better[/bold]")
    for note in c.notes:
        _out(f"  note: {note}")
    _out(f"  {LEAD_NOT_VERDICT}")


@app.command("merge")
def merge_cmd(
    folders: Annotated[list[Path], typer.Argument(help="Model folders trained on CV folds.")],
    out: Annotated[Path, typer.Option("--out", help="New folder for the merged model.")],
    weights_out: Annotated[
        Path | None,
        typer.Option("--weights-out", help="Also write the merged indicator weights here."),
    ] = None,
    harness: Annotated[
        Path | None,
        typer.Option("--harness", help="JSON figures the evaluation harness printed (cv mode)."),
    ] = None,
    data_name: Annotated[
        str, typer.Option("--data-name", help="What the folds were trained on, for the card.")
    ] = "",
    data_file: Annotated[
        Path | None, typer.Option("--data-file", help="The data file, for its SHA-256 and size.")
    ] = None,
) -> None:
    """Average model folders trained on cross-validation folds into one model (a bag)."""
    import json

    from vigil.analysis.learn.bundle import bundle_files, write_folder
    from vigil.analysis.learn.card import (
        CARD_SCHEMA,
        DECOY_WARNING,
        INTENDED_USE,
        LIMITATIONS,
        RESEARCH_BIASES,
        library_versions,
    )
    from vigil.analysis.learn.merge import merge_folders
    from vigil.analysis.learn.store import sha256_hex
    from vigil.analysis.weights import IndicatorWeights, save_weights

    fitted = merge_folders(folders)
    assert fitted.model is not None
    figures = json.loads(harness.read_text("utf-8")) if harness else None
    data: dict[str, Any] = {"name": data_name, "folds": len(folders)}
    if data_file is not None:
        blob = data_file.read_bytes()
        data.update({"file": data_file.name, "sha256": sha256_hex(blob), "size": len(blob)})
    card: dict[str, Any] = {
        "schema": CARD_SCHEMA,
        "warning": DECOY_WARNING,
        "intended_use": INTENDED_USE,
        "limitations": LIMITATIONS,
        "biases": list(RESEARCH_BIASES),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": tool_version(),
        "library_versions": library_versions(),
        "model": {**fitted.model.describe(), "merged_from_folds": len(folders)},
        "data": data,
        "training": (
            "one model per cross-validation fold, each fitted (indicator weights, n-gram model, "
            "stacker) on the other folds' data inside the evaluation harness's private temporary "
            "folder; the folds' parameters averaged (a bag of linear models)"
        ),
        "cross_validated": figures,
        "operating_point": {
            "flagged_when": "stacked score >= threshold, or indicator score >= "
            "indicator_threshold (and, with speaker turns, a child in view), or urgency 3, or "
            "urgency 2 with a child in view",
            "threshold": fitted.stacker.threshold if fitted.stacker else None,
            "indicator_threshold": fitted.stacker.indicator_threshold if fitted.stacker else None,
            "cross_validated": (figures or {}).get("flagged"),
        },
        "folds": fitted.figures["folds"],
    }
    write_folder(out, bundle_files(fitted, card))
    if weights_out is not None:
        ind = fitted.indicators
        save_weights(
            IndicatorWeights(
                ind.weights,
                ind.intercept,
                ind.threshold,
                {"data": data, "created": card["created"], "tool_version": tool_version(),
                 "fitted": "mean of the folds' L2 logistic regressions over finding features",
                 "folds": ind.provenance.get("folds", [])},
            ),
            weights_out,
        )  # fmt: skip
    _out(f"[bold]merged {len(folders)} folds[/bold] into {out}")
