"""The optional learned model: data loading, training, evaluation, saving and the CLI.

All data is synthetic and non-graphic, generated here: benign chats (school, football, gaming,
family logistics) and chats in which one side uses grooming cues as public safeguarding
guidance quotes them (age questions, secrecy, supervision checks, gifts, meeting plans).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pytest
from typer.testing import CliRunner

from vigil.analysis.early_warning import EarlyWarning, WarningSettings, scan
from vigil.analysis.learn import load_model
from vigil.analysis.learn.card import CARD_FILE, DECOY_WARNING, MODEL_FILE
from vigil.analysis.learn.data import LabelledChat, chats_from_csv, chats_from_pan12
from vigil.analysis.learn.evaluate import Fitted, evaluate, fit, split
from vigil.analysis.learn.model import FeatureConfig, TrainingConfig, train
from vigil.analysis.learn.service import evaluate_from_files, load_data, train_from_files
from vigil.analysis.learn.store import encode_model, read_card
from vigil.cli.model import app
from vigil.errors import IntegrityError, ParseError, UserError

SMALL_TALK = [
    "hi how was your day",
    "not bad, bit tired",
    "did you watch the match last night",
    "yeah what a goal in the last minute",
    "i am stuck on level 4 of that game",
    "try the left path, it is easier",
    "lol same",
    "what music are you into",
    "mostly pop and some rock",
    "cool",
]
BENIGN = [
    "the maths homework is on page 32",
    "question 4 is about fractions",
    "football training moved to thursday",
    "bring your kit and a water bottle",
    "the parcel is here, is mum home to sign for it",
    "can you ask your dad to call the club secretary",
    "our team won 3 nil on saturday",
    "the school trip letter needs signing by friday",
    "gg that was a close round",
    "revision group meets in the library at lunch",
]
CUES = [
    "how old are you",
    "what school do you go to",
    "you are so mature for your age",
    "are your parents home right now",
    "who else uses your phone",
    "dont tell your parents about me",
    "keep this between us ok",
    "delete our chats after",
    "i can buy you a new phone",
    "i will send you a gift card",
    "can we meet this weekend",
    "i can pick you up from the bus stop",
    "whats your number so we can text",
    "send me a pic so i know you are real",
]


def synth_chat(rng: random.Random, grooming: bool) -> list[tuple[str, str]]:
    """(author, text) pairs; in grooming chats author 'adult' brings in cues after a while."""
    n = rng.randint(25, 45)
    out: list[tuple[str, str]] = []
    start = rng.randint(3, 10)
    for i in range(n):
        who = "adult" if i % 2 == 0 else "kid"
        if grooming and who == "adult" and i >= start and rng.random() < 0.8:
            out.append((who, rng.choice(CUES)))
        else:
            out.append((who, rng.choice(SMALL_TALK + BENIGN)))
    return out


def pan12_xml(rng: random.Random, n_each: int) -> tuple[bytes, bytes, list[str]]:
    """A PAN12-style corpus, its predator list and the ids of the grooming conversations."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<conversations>"]
    predators: list[str] = []
    grooming_ids: list[str] = []
    line = 3
    for c in range(2 * n_each):
        grooming = c % 2 == 1
        cid = hashlib.md5(f"conv{c}".encode()).hexdigest()
        adult = hashlib.md5(f"adult{c}".encode()).hexdigest()
        kid = hashlib.md5(f"kid{c}".encode()).hexdigest()
        if grooming:
            predators.append(adult)
            grooming_ids.append(cid)
        parts.append(f'<conversation id="{cid}">')
        for i, (who, text) in enumerate(synth_chat(rng, grooming)):
            author = adult if who == "adult" else kid
            parts.append(
                f'<message line="{i + 1}"><author>{author}</author>'
                f"<time>{10 + i // 60:02d}:{i % 60:02d}</time><text>{escape(text)}</text></message>"
            )
            line += 1
        parts.append("</conversation>")
    parts.append("</conversations>")
    return "\n".join(parts).encode(), "\n".join(predators).encode() + b"\n", grooming_ids


def csv_bytes(rng: random.Random, n_each: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["segment", "label"])
    for c in range(2 * n_each):
        grooming = c % 2 == 1
        w.writerow(["\n".join(t for _, t in synth_chat(rng, grooming)), int(grooming)])
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    d = tmp_path_factory.mktemp("pan12")
    xml, preds, ids = pan12_xml(random.Random(1), 30)
    (d / "corpus.xml").write_bytes(xml)
    (d / "predators.txt").write_bytes(preds)
    return d / "corpus.xml", d / "predators.txt", ids


@pytest.fixture(scope="module")
def chats(corpus: tuple[Path, Path, list[str]]) -> list[LabelledChat]:
    xml, preds, _ = corpus
    return load_data(xml, preds).chats


@pytest.fixture(scope="module")
def fitted(chats: list[LabelledChat]) -> Fitted:
    return fit(chats, TrainingConfig(seed=3), test_fraction=0.3)


# --- data ---------------------------------------------------------------------------------


def test_pan12_chats_are_labelled_by_the_predator_list(
    corpus: tuple[Path, Path, list[str]], chats: list[LabelledChat]
) -> None:
    _, _, grooming_ids = corpus
    assert len(chats) == 60
    positive = {c.source.rsplit(" ", 1)[1] for c in chats if c.label == 1}
    assert positive == set(grooming_ids)
    assert all(len(c.messages) >= 25 for c in chats)
    assert chats[0].source.startswith(str(corpus[0]))


def test_pan12_without_predators_labels_everything_zero(
    corpus: tuple[Path, Path, list[str]],
) -> None:
    data = load_data(corpus[0])
    assert {c.label for c in data.chats} == {0}
    assert any("without --predators" in n for n in data.notes)


def test_csv_rows_become_chats_with_messages_per_line() -> None:
    raw = b'segment,label\n"hi\nhow old are you",1\nsee you at training,0\n'
    loaded = chats_from_csv(io.BytesIO(raw), "t.csv")
    assert [c.label for c in loaded.chats] == [1, 0]
    assert loaded.chats[0].messages == ("hi", "how old are you")
    assert loaded.chats[1].source == "t.csv, line 4"  # the quoted newline spans lines 2-3


@pytest.mark.parametrize(
    ("raw", "where", "what"),
    [
        (b"text,label\nhi,0\n", "line 1", "header"),
        (b"", "line 1", "empty"),
        (b'segment,label\n"a\nb",1\nhello,yes\n', "line 4", "label 0 or 1"),
        (b"segment,label\nhello,1,extra\n", "line 2", "3 field"),
        (b"segment,label\n   ,0\n", "line 2", "empty segment"),
        (b"segment,label\n", None, "no data rows"),
        (b"segment,label\nok,0\n\xff\xfe,1\n", "line", "UTF-8"),
    ],
)
def test_bad_csv_names_file_and_line(raw: bytes, where: str | None, what: str) -> None:
    with pytest.raises(ParseError) as ei:
        chats_from_csv(io.BytesIO(raw), "bad.csv")
    assert "bad.csv" in ei.value.message and what in ei.value.message
    if where:
        assert ei.value.location is not None and where in ei.value.location


def test_pan12_file_with_no_conversations_is_refused() -> None:
    with pytest.raises(ParseError, match="no conversations"):
        chats_from_pan12(io.BytesIO(b"<conversations></conversations>"), "x.xml", set())


# --- training -------------------------------------------------------------------------------


def test_split_is_stratified_seeded_and_disjoint(chats: list[LabelledChat]) -> None:
    a_train, a_test = split(chats, 0.3, seed=5)
    _, b_test = split(chats, 0.3, seed=5)
    assert [c.source for c in a_test] == [c.source for c in b_test]
    assert {c.source for c in a_train}.isdisjoint(c.source for c in a_test)
    assert len(a_train) + len(a_test) == len(chats)
    assert sum(c.label for c in a_test) == 9 and len(a_test) == 18  # 30 % of 30 per class
    _, c_test = split(chats, 0.3, seed=6)
    assert [c.source for c in c_test] != [c.source for c in a_test]


def test_training_is_reproducible(chats: list[LabelledChat]) -> None:
    texts, labels = [c.text for c in chats], [c.label for c in chats]
    cfg = TrainingConfig(features=FeatureConfig(n_features=2**16))
    m1, m2 = train(texts, labels, cfg), train(texts, labels, cfg)
    assert np.array_equal(m1.weights, m2.weights) and m1.intercept == m2.intercept
    assert encode_model(m1) == encode_model(m2)


def test_one_class_is_refused() -> None:
    with pytest.raises(UserError, match="only one class"):
        train(["a", "b"], [0, 0])


def test_held_out_grooming_chats_rank_above_benign(fitted: Fitted) -> None:
    seg = fitted.held_out.as_dict()["segment"]
    assert seg["pr_auc"] > 0.9
    assert seg["f1"] > 0.8
    early = fitted.held_out.early
    assert early.confusion.tp > 0 and early.speed is not None and 0 < early.speed <= 1
    assert early.latency_f1 == pytest.approx(early.f1 * early.speed)


def test_model_scores_plug_into_early_warning(fitted: Fitted, chats: list[LabelledChat]) -> None:
    model = fitted.model
    chat = next(c for c in chats if c.label == 1)
    live = EarlyWarning(model.score_window).run(chat.messages)
    batch = scan(chat.messages, model.score_windows)
    assert [s.first_warning_index for s in live] == [s.first_warning_index for s in batch]
    assert [s.score for s in live] == pytest.approx([s.score for s in batch])
    # the first warning needs at least 5 positive windows, so it cannot come before message 5
    first = live[-1].first_warning_index
    assert first is None or first >= 4


def test_stricter_settings_never_warn_earlier(fitted: Fitted, chats: list[LabelledChat]) -> None:
    loose = evaluate(fitted.model, chats, WarningSettings(positives=3))
    strict = evaluate(fitted.model, chats, WarningSettings(positives=8))
    assert loose.early.confusion.tp >= strict.early.confusion.tp
    assert (loose.early.speed or 0) >= (strict.early.speed or 0)


def test_explain_names_cue_ngrams(fitted: Fitted) -> None:
    grams = [g for g, _ in fitted.model.explain("hi are your parents home right now", n=3)]
    assert grams and all(g in "hi are your parents home right now" for g in grams)
    assert any(w in " ".join(grams) for w in ("parents", "home", "right now"))


# --- saving and loading ----------------------------------------------------------------------


def trained_dir(tmp_path: Path, corpus: tuple[Path, Path, list[str]]) -> Path:
    xml, preds, _ = corpus
    out = tmp_path / "model"
    train_from_files(
        xml,
        out,
        predators=preds,
        config=TrainingConfig(features=FeatureConfig(n_features=2**16), seed=1),
        created="2024-05-01T09:00:00+00:00",
        tool="vigil test",
    )
    return out


def test_save_load_round_trip_and_card(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]], chats: list[LabelledChat]
) -> None:
    out = trained_dir(tmp_path, corpus)
    card = json.loads((out / CARD_FILE).read_text())
    assert card == read_card(out)
    assert card["warning"] == DECOY_WARNING and "adult decoys" in card["warning"]
    assert card["created"] == "2024-05-01T09:00:00+00:00"
    assert card["tool_version"] == "vigil test"
    xml, preds, _ = corpus
    srcs = {s["kind"]: s for s in card["data"]["sources"]}
    assert srcs["pan12_xml"]["sha256"] == hashlib.sha256(xml.read_bytes()).hexdigest()
    assert srcs["pan12_predators"]["sha256"] == hashlib.sha256(preds.read_bytes()).hexdigest()
    assert card["data"]["all"]["chats"] == 60 and card["data"]["all"]["positives"] == 30
    assert card["data"]["all"]["positive_share"] == 0.5
    assert set(card["metrics"]["held_out"]["segment"]) >= {"precision", "f0_5", "pr_auc"}
    assert (
        card["model_file"]["sha256"] == hashlib.sha256((out / MODEL_FILE).read_bytes()).hexdigest()
    )

    model = load_model(out)
    assert model.sha256 == card["model_file"]["sha256"]
    texts = [c.text for c in chats[:10]]
    again = train_from_files(
        xml,
        tmp_path / "model2",
        predators=preds,
        config=TrainingConfig(features=FeatureConfig(n_features=2**16), seed=1),
        created="2024-05-01T09:00:00+00:00",
        tool="vigil test",
    )
    assert again.card["model_file"] == card["model_file"]  # same data and seed, same bytes
    assert np.allclose(load_model(tmp_path / "model2").score(texts), model.score(texts))


def test_tampered_model_file_is_refused(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]]
) -> None:
    out = trained_dir(tmp_path, corpus)
    blob = bytearray((out / MODEL_FILE).read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (out / MODEL_FILE).write_bytes(bytes(blob))
    with pytest.raises(IntegrityError, match="does not match"):
        load_model(out)


def test_card_pointing_at_other_bytes_is_refused(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]]
) -> None:
    out = trained_dir(tmp_path, corpus)
    card = json.loads((out / CARD_FILE).read_text())
    card["model_file"]["sha256"] = "0" * 64
    (out / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(IntegrityError):
        load_model(out)


def test_model_file_that_is_not_a_model_is_refused_even_with_matching_hash(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]]
) -> None:
    out = trained_dir(tmp_path, corpus)
    junk = b"PK\x03\x04 not really a zip"
    (out / MODEL_FILE).write_bytes(junk)
    card = json.loads((out / CARD_FILE).read_text())
    card["model_file"]["sha256"] = hashlib.sha256(junk).hexdigest()
    (out / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(IntegrityError, match="not a readable"):
        load_model(out)


def test_model_file_needing_pickle_is_refused(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]]
) -> None:
    # an object array can only be read by unpickling; the loader must refuse it, not run it
    out = trained_dir(tmp_path, corpus)
    buf = io.BytesIO()
    np.savez(buf, format=np.array([{"not": "numbers"}], dtype=object))
    (out / MODEL_FILE).write_bytes(buf.getvalue())
    card = json.loads((out / CARD_FILE).read_text())
    card["model_file"]["sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
    (out / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(IntegrityError, match="not a readable"):
        load_model(out)


def test_existing_output_folder_is_not_overwritten(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]]
) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(UserError, match="not empty"):
        train_from_files(corpus[0], out, predators=corpus[1], created="2024", tool="t")
    assert (out / "keep.txt").read_text() == "x"
    assert not list(tmp_path.glob(".model.*"))  # no temporary folder left behind


def test_missing_model_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such model folder"):
        load_model(tmp_path / "nope")


def test_evaluate_from_files_on_csv(tmp_path: Path, corpus: tuple[Path, Path, list[str]]) -> None:
    out = trained_dir(tmp_path, corpus)
    data = tmp_path / "eval.csv"
    data.write_bytes(csv_bytes(random.Random(9), 15))
    report = evaluate_from_files(data, out)
    d = report.as_dict()
    assert d["sources"][0]["kind"] == "csv" and d["data"]["chats"] == 30
    assert d["segment"]["pr_auc"] > 0.9
    assert d["early_warning"]["window"] == 50
    assert report.model_sha256 == read_card(out)["model_file"]["sha256"]


# --- CLI ------------------------------------------------------------------------------------


def test_cli_train_then_evaluate(tmp_path: Path, corpus: tuple[Path, Path, list[str]]) -> None:
    xml, preds, _ = corpus
    runner = CliRunner()
    out = tmp_path / "cli-model"
    r = runner.invoke(
        app,
        ["train", "--data", str(xml), "--predators", str(preds), "--out", str(out), "--json"],
    )
    assert r.exit_code == 0, r.output
    trained = json.loads(r.stdout)
    assert trained["card"]["warning"] == DECOY_WARNING
    r = runner.invoke(
        app,
        ["evaluate", "--data", str(xml), "--predators", str(preds), "--model", str(out)],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.output
    for words in ("precision", "F0.5", "PR-AUC", "1% FPR", "speed", "latency-weighted F1"):
        assert words in r.stdout
    r = runner.invoke(
        app,
        [
            "evaluate",
            "--data",
            str(xml),
            "--predators",
            str(preds),
            "--model",
            str(out),
            "--json",
            "--positives",
            "3",
        ],
    )
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["early_warning"]["positives"] == 3
    assert report["model_sha256"] == trained["card"]["model_file"]["sha256"]
    assert report["warning"] == DECOY_WARNING


def test_cli_evaluate_without_a_model_says_what_to_do(
    tmp_path: Path, corpus: tuple[Path, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_MODEL_DIR", "none")  # the shipped model turned off
    r = CliRunner().invoke(app, ["evaluate", "--data", str(corpus[0])])
    assert isinstance(r.exception, UserError)
    assert "VIGIL_MODEL_DIR" in (r.exception.hint or "")


def test_evaluate_uses_the_shipped_model_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    monkeypatch.delenv("VIGIL_MODEL_DIR", raising=False)

    from vigil.cli.main import app

    data = tmp_path / "labelled.csv"
    data.write_text(
        'segment,label\n"how old are you\nare your parents home\nkeep this between us",1\n'
        '"see you at training\nbring your kit",0\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(app, ["model", "evaluate", "--data", str(data), "--json"])
    assert res.exit_code == 0, res.output
    assert "default_model" in res.output
