"""``vigil scan`` as a service: formats, layouts, bad records, atomic output, model settings,
and the same numbers as triage for the same chat.

All text is synthetic and non-graphic: everyday chat, and grooming cues worded the way public
safeguarding guidance quotes them (age questions, secrecy, supervision checks, gifts, meeting
plans).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from vigil.analysis.assess import MsgView
from vigil.analysis.engine import default_engine
from vigil.analysis.learn.model import FeatureConfig, TrainingConfig
from vigil.analysis.learn.service import train_from_files
from vigil.analysis.score import ConversationInput, Scorer
from vigil.config import Settings
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.errors import ParseError, UserError
from vigil.services.cases import create_case
from vigil.services.ingest.run import ingest_file
from vigil.services.scan.read import split_segment
from vigil.services.scan.run import OUT_COLUMNS, errors_path, make_scorer, scan, scan_with
from vigil.services.triage.run import triage
from vigil.services.workspace import init_workspace

CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "conversations"
TALK = [
    "hi how was your day",
    "did you watch the match last night",
    "the maths homework is on page 32",
    "football training moved to thursday",
    "lol same",
]
CUES = [
    "how old are you",
    "are your parents home right now",
    "dont tell your parents about me",
    "keep this between us ok",
    "i can buy you a new phone",
    "can we meet this weekend",
]


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """No workspace, no model setting, a private cache folder."""
    return Settings(home=tmp_path / "no-ws", model_dir=None, cache_dir=tmp_path / "cache")


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return make_scorer(Settings(model_dir=None, cache_dir=None), no_model=True)[0]


def segments() -> list[tuple[str, str]]:
    """(id, segment): odd ones use cues; ids and text with quotes, commas, Unicode, CR LF."""
    rng = random.Random(5)
    out = []
    for i in range(12):
        pool = CUES if i % 2 else TALK
        lines = [rng.choice(pool) for _ in range(rng.randint(2, 6))]
        out.append((f"seg-{i}", "\n".join(lines)))
    out.append(('quote "q", comma', 'she said "see you at 5, ok"\r\nthanks 😊\n\n  \nnaïve café'))
    out.append(("émoji-🙂", "x" * 200_000 + "\nhow old are you"))  # beyond csv's default limit
    out.append(("empty", ""))
    return out


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected(scorer: Scorer, segs: list[tuple[str, str]]) -> list[Any]:
    convs = [
        ConversationInput(i, [MsgView(n, None, None, t) for n, t in enumerate(split_segment(s), 1)])
        for i, s in segs
    ]
    return scorer.score(convs)


# --- formats and layouts ---------------------------------------------------------------------


def test_segment_csv_round_trip_matches_the_scorer(tmp_path: Path, scorer: Scorer) -> None:
    segs = segments()
    src = write_csv(tmp_path / "in.csv", ["id", "segment"], [list(s) for s in segs])
    out = tmp_path / "scores.csv"
    r = scan_with(scorer, src, out, batch=4)
    assert (r.layout, r.conversations, r.bad_records, r.errors_file) == ("segment", 15, 0, None)
    with out.open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == list(OUT_COLUMNS)
    rows = read_csv(out)
    want = expected(scorer, segs)
    assert [row["id"] for row in rows] == [i for i, _ in segs]
    for row, w in zip(rows, want, strict=True):
        assert float(row["score"]) == w.score
        assert row["flagged"] == str(int(w.flagged))
        assert row["categories"] == ";".join(w.categories)
        assert row["flags"] == ";".join(w.flags)
        assert (row["urgency"], row["language"], row["checked"], row["note"]) == (
            str(w.urgency), w.language, str(int(w.checked)), w.note
        )  # fmt: skip
    assert any(row["categories"] for row in rows[1:12:2])  # the cued segments
    assert rows[-1]["id"] == "empty"  # an empty segment is scored, not dropped
    assert r.messages == sum(len(split_segment(s)) for _, s in segs)


def test_segment_lines_skip_blank_ones_and_drop_cr() -> None:
    assert split_segment("a\r\n\n  \nb\n") == ["a", "b"]
    assert split_segment("") == []


def test_jsonl_in_and_out(tmp_path: Path, scorer: Scorer) -> None:
    segs = segments()
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(json.dumps({"ID": i, "segment": s, "extra": 1}) for i, s in segs) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.jsonl"
    r = scan_with(scorer, src, out)
    assert (r.in_format, r.out_format, r.conversations) == ("jsonl", "jsonl", 15)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    want = expected(scorer, segs)
    assert [set(g) for g in got] == [set(OUT_COLUMNS)] * 15
    for g, w in zip(got, want, strict=True):
        assert g["score"] == w.score and g["flagged"] is w.flagged
        assert g["categories"] == list(w.categories) and g["flags"] == list(w.flags)
        assert isinstance(g["checked"], bool) and g["urgency"] == w.urgency


def test_parquet_in_and_out(tmp_path: Path, scorer: Scorer) -> None:
    segs = segments()
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": [i for i, _ in segs], "Segment": [s for _, s in segs]}), src)
    out = tmp_path / "scores.parquet"
    r = scan_with(scorer, src, out, batch=5)
    assert (r.in_format, r.out_format, r.conversations) == ("parquet", "parquet", 15)
    got = pq.read_table(out).to_pylist()
    want = expected(scorer, segs)
    assert [g["id"] for g in got] == [i for i, _ in segs]
    for g, w in zip(got, want, strict=True):
        assert g["score"] == w.score and g["flagged"] is w.flagged
        assert g["categories"] == list(w.categories) and g["urgency"] == w.urgency


def test_format_flags_override_extensions(tmp_path: Path, scorer: Scorer) -> None:
    src = write_csv(tmp_path / "in.txt", ["id", "segment"], [["a", "how old are you"]])
    out = tmp_path / "scores.out"
    with pytest.raises(UserError, match="extension"):
        scan_with(scorer, src, out, in_format="csv")
    r = scan_with(scorer, src, out, in_format="csv", out_format="jsonl")
    assert json.loads(out.read_text())["id"] == "a" and r.out_format == "jsonl"
    with pytest.raises(UserError, match="unknown format"):
        scan_with(scorer, src, out, in_format="xml")


def chat_rows() -> list[list[str]]:
    """conversation,sender,time,text rows of two chats, interleaved."""
    t0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    a = [("adult", "hi how was your day"), ("kid", "ok"), ("adult", "how old are you"),
         ("kid", "13"), ("adult", "dont tell your parents about me"),
         ("adult", "can we meet this weekend")]  # fmt: skip
    b = [("p1", "football training moved to thursday"), ("p2", "bring your kit")]
    rows = []
    for n in range(max(len(a), len(b))):
        for conv, msgs in (("chat-a", a), ("chat-b", b)):
            if n < len(msgs):
                when = t0 + timedelta(minutes=n)
                rows.append([conv, msgs[n][0], when.isoformat(), msgs[n][1]])
    return rows


def chat_inputs() -> list[ConversationInput]:
    out: dict[str, list[MsgView]] = {}
    for conv, sender, when, text in chat_rows():
        msgs = out.setdefault(conv, [])
        msgs.append(MsgView(len(msgs) + 1, sender, datetime.fromisoformat(when), text))
    return [ConversationInput(k, v) for k, v in out.items()]


def test_row_layout_groups_conversations_in_order_of_first_appearance(
    tmp_path: Path, scorer: Scorer
) -> None:
    rows = chat_rows()
    rows[0][2] = rows[0][2].replace("+00:00", "")  # naive: read as UTC, the same time
    src = write_csv(tmp_path / "rows.csv", ["Conversation", "sender", "time", "text", "x"],
                    [[*r, "ignored"] for r in rows])  # fmt: skip
    out = tmp_path / "scores.csv"
    r = scan_with(scorer, src, out)
    assert (r.layout, r.conversations, r.messages, r.bad_records) == ("rows", 2, 8, 0)
    got = read_csv(out)
    want = scorer.score(chat_inputs())
    assert [g["id"] for g in got] == ["chat-a", "chat-b"]
    for g, w in zip(got, want, strict=True):
        assert float(g["score"]) == w.score and g["categories"] == ";".join(w.categories)
        assert g["urgency"] == str(w.urgency) and g["flags"] == ";".join(w.flags)


def test_row_layout_without_sender_or_time_columns(tmp_path: Path, scorer: Scorer) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text(
        '{"conversation": 7, "text": "how old are you"}\n{"conversation": 7, "text": "13"}\n'
    )
    r = scan_with(scorer, src, tmp_path / "s.csv")
    assert (r.conversations, r.messages) == (1, 2)
    assert read_csv(tmp_path / "s.csv")[0]["id"] == "7"


def test_grouped_rows_stream_and_a_returning_conversation_is_a_bad_record(
    tmp_path: Path, scorer: Scorer
) -> None:
    rows = sorted(chat_rows(), key=lambda r: r[0])  # grouped (stable: order kept inside)
    src = write_csv(tmp_path / "g.csv", ["conversation", "sender", "time", "text"], rows)
    plain, grouped = tmp_path / "plain.csv", tmp_path / "grouped.csv"
    scan_with(scorer, src, plain)
    r = scan_with(scorer, src, grouped, grouped=True)
    assert read_csv(plain) == read_csv(grouped) and r.bad_records == 0
    interleaved = write_csv(
        tmp_path / "i.csv", ["conversation", "sender", "time", "text"], chat_rows()
    )
    r = scan_with(scorer, interleaved, tmp_path / "gi.csv", grouped=True)
    assert r.bad_records == 5  # chat-a's rows after chat-b began
    bad = read_csv(errors_path(tmp_path / "gi.csv"))
    assert bad[0] == {"id": "chat-a", "location": "line 4", "reason": bad[0]["reason"]}
    assert "--grouped" in bad[0]["reason"]


# --- bad records -------------------------------------------------------------------------------


def test_bad_csv_records_are_listed_with_their_line_and_the_rest_scored(
    tmp_path: Path, scorer: Scorer
) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(
        b"id,segment\n"
        b'ok-1,"how old are you\nkeep this between us ok"\n'  # lines 2-3
        b",no id here\n"  # line 4
        b"short-row\n"  # line 5
        b"bad-bytes,caf\xe9 \xff\n"  # line 6
        b"\n"  # line 7: blank, skipped
        b"ok-2,lol same\n"  # line 8
        b"x,y,z\n"  # line 9
    )
    out = tmp_path / "scores.csv"
    r = scan_with(scorer, src, out)
    assert [row["id"] for row in read_csv(out)] == ["ok-1", "ok-2"]
    assert r.bad_records == 4 and r.errors_file == str(tmp_path / "scores.csv.errors.csv")
    bad = read_csv(Path(r.errors_file))
    assert [(b["id"], b["location"]) for b in bad] == [
        ("", "line 4"),
        ("", "line 5"),
        ("bad-bytes", "line 6"),
        ("", "line 9"),
    ]
    reasons = [b["reason"] for b in bad]
    assert reasons[0] == "missing id"
    assert reasons[1] == "row has 1 fields, the header has 2"
    assert reasons[3] == "row has 3 fields, the header has 2"
    assert "not UTF-8" in reasons[2]
    assert [b.location for b in r.first_bad] == ["line 4", "line 5", "line 6", "line 9"]


def test_bad_jsonl_records_are_listed_with_their_line(tmp_path: Path, scorer: Scorer) -> None:
    lines = [
        b'{"conversation": "c1", "sender": "a", "time": "2026-03-01T10:00:00Z", "text": "hi"}',
        b'{"conversation": "c1", "sender": "a", "time": "yesterday", "text": "how old are you"}',
        b'{"conversation": "c1", "sender": "a", "text": "keep this between us ok"',
        b'["not", "an", "object"]',
        b'{"conversation": "c2", "sender": "b"}',
        b'{"sender": "b", "text": "no conversation"}',
        b'{"conversation": "c2", "sender": "b", "text": "caf\xe9"}',
        b"",
        b'{"conversation": "c2", "sender": "b", "text": ["a", "list"]}',
        b'{"conversation": "c2", "sender": "b", "time": null, "text": "lol same"}',
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "scores.jsonl"
    r = scan_with(scorer, src, out)
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["c1", "c2"]
    assert r.messages == 2
    bad = read_csv(errors_path(out))
    got = [(b["location"], b["id"]) for b in bad]
    assert got == [("line 2", "c1"), ("line 3", ""), ("line 4", ""), ("line 5", "c2"),
                   ("line 6", ""), ("line 7", ""), ("line 9", "c2")]  # fmt: skip
    reasons = [b["reason"] for b in bad]
    assert reasons[0].startswith("bad time 'yesterday'")
    assert reasons[1].startswith("invalid JSON at column")
    assert reasons[2] == "a JSON list, not an object"
    assert reasons[3] == "missing text"
    assert reasons[4] == "missing conversation"
    assert reasons[5].startswith("bytes that are not UTF-8")
    assert reasons[6] == "text is a list, not text"


def test_bad_parquet_rows_are_listed_by_row(tmp_path: Path, scorer: Scorer) -> None:
    src = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"id": ["a", None, "c", "d"], "segment": ["hi", "hello", None, "lol same"]}), src
    )
    out = tmp_path / "scores.csv"
    assert scan_with(scorer, src, out).bad_records == 2
    assert [row["id"] for row in read_csv(out)] == ["a", "d"]
    bad = read_csv(errors_path(out))
    assert [(b["id"], b["location"], b["reason"]) for b in bad] == [
        ("", "row 2", "missing id"),
        ("c", "row 3", "missing segment"),
    ]


def test_errors_file_of_an_earlier_run_is_removed_when_a_rerun_has_none(
    tmp_path: Path, scorer: Scorer
) -> None:
    out = tmp_path / "scores.csv"
    bad = write_csv(tmp_path / "bad.csv", ["id", "segment"], [["", "x"], ["a", "hi"]])
    scan_with(scorer, bad, out)
    assert errors_path(out).is_file()
    good = write_csv(tmp_path / "good.csv", ["id", "segment"], [["a", "hi"]])
    r = scan_with(scorer, good, out)
    assert r.errors_file is None and not errors_path(out).exists()


# --- unreadable input, atomic output -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("cols.csv", b"name,text\nx,hi\n", r"cols\.csv, line 1: the required columns are missing"),
        ("seg.csv", b"segment\nhi\n", r"seg\.csv, line 1: a segment column but no id column"),
        ("empty.csv", b"", r"empty\.csv, line 1: the file is empty"),
        ("cols.jsonl", b'{"name": "x"}\n', r"cols\.jsonl, line 1: the required columns"),
        ("none.jsonl", b"\n[1]\nnot json\n", r"none\.jsonl, line 2: no JSON object in the file"),
        ("bad.parquet", b"PAR1 not really", r"bad\.parquet: not a readable Parquet file"),
    ],
)
def test_unreadable_input_is_an_error_naming_file_and_line(
    tmp_path: Path, scorer: Scorer, name: str, data: bytes, match: str
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "scores.csv"
    out.write_text("previous\n")
    with pytest.raises(ParseError, match=match):
        scan_with(scorer, src, out)
    assert out.read_text() == "previous\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "scores.csv"])


def test_missing_input_and_output_folder_and_self_overwrite(tmp_path: Path, scorer: Scorer) -> None:
    with pytest.raises(UserError, match="does not exist"):
        scan_with(scorer, tmp_path / "nope.csv", tmp_path / "s.csv")
    src = write_csv(tmp_path / "in.csv", ["id", "segment"], [["a", "hi"]])
    with pytest.raises(UserError, match="no such folder"):
        scan_with(scorer, src, tmp_path / "nowhere" / "s.csv")
    with pytest.raises(UserError, match="overwrite the input"):
        scan_with(scorer, src, src)


def test_a_crash_half_way_leaves_no_half_written_output(
    tmp_path: Path, scorer: Scorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["", "a bad record, listed before the crash"]]
    rows += [[f"s{i}", "how old are you"] for i in range(10)]
    src = write_csv(tmp_path / "in.csv", ["id", "segment"], rows)
    out = tmp_path / "scores.csv"
    out.write_text("previous\n")
    calls = iter(range(100))
    real = Scorer.score

    def flaky(self: Scorer, convs: Any, now: Any = None, **kw: Any) -> Any:
        if next(calls) == 1:
            raise RuntimeError("disk on fire")
        return real(self, convs, now, **kw)

    monkeypatch.setattr(Scorer, "score", flaky)
    with pytest.raises(RuntimeError):
        scan_with(scorer, src, out, batch=3)
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "scores.csv"]


# --- model settings ------------------------------------------------------------------------------


def synthetic_training_csv(path: Path, n_each: int = 20) -> Path:
    rng = random.Random(11)
    rows = []
    for i in range(2 * n_each):
        pool = TALK + CUES if i % 2 else TALK
        rows.append(["\n".join(rng.choice(pool) for _ in range(8)), i % 2])
    return write_csv(path, ["segment", "label"], rows)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("model")
    train_from_files(
        synthetic_training_csv(d / "train.csv"),
        d / "model",
        config=TrainingConfig(features=FeatureConfig(n_features=2**14), seed=1),
        test_fraction=0.25,
        created="2026-01-01T00:00:00+00:00",
        tool="vigil test",
    )
    return d / "model"


def test_no_model_and_the_default_agree_while_no_model_ships(
    tmp_path: Path, settings: Settings
) -> None:
    from vigil.analysis.learn.bundle import resolve_model_dir

    src = write_csv(tmp_path / "in.csv", ["id", "segment"], [list(s) for s in segments()])
    default = scan(settings, src, tmp_path / "default.csv")
    none = scan(settings, src, tmp_path / "none.csv", no_model=True)
    assert none.model == "none"
    shipped = resolve_model_dir(None)
    if shipped is None:
        assert default.model == "none"
        assert read_csv(tmp_path / "default.csv") == read_csv(tmp_path / "none.csv")
    else:
        assert default.model == str(shipped)


def test_model_setting_option_and_no_model(
    tmp_path: Path, settings: Settings, model_dir: Path
) -> None:
    src = write_csv(tmp_path / "in.csv", ["id", "segment"], [list(s) for s in segments()])
    r = scan(settings, src, tmp_path / "m.csv", model=model_dir)
    assert r.model == str(model_dir)
    scorer, folder = make_scorer(settings, model=model_dir)
    assert folder == model_dir and scorer.model is not None
    env = replace(settings, model_dir=model_dir)  # VIGIL_MODEL_DIR
    assert scan(env, src, tmp_path / "e.csv").model == str(model_dir)
    assert read_csv(tmp_path / "e.csv") == read_csv(tmp_path / "m.csv")
    assert scan(env, src, tmp_path / "n.csv", no_model=True).model == "none"
    off = replace(settings, model_dir=Path("none"))
    assert make_scorer(off)[1] is None
    missing = replace(settings, model_dir=tmp_path / "absent")
    with pytest.raises(UserError, match="no such model folder"):
        scan(missing, src, tmp_path / "x.csv")
    assert scan(missing, src, tmp_path / "x.csv", no_model=True).model == "none"
    with pytest.raises(UserError, match="--model and --no-model"):
        make_scorer(settings, model=model_dir, no_model=True)


def test_weights_file_decides_the_indicator_score(tmp_path: Path, settings: Settings) -> None:
    weights = tmp_path / "w.json"
    weights.write_text(
        json.dumps(
            {
                "format": "vigil-indicator-weights/1",
                "intercept": -2.0,
                "threshold": 0.5,
                "weights": {"cat.secrecy_exclusivity": 4.0, "cat.age_identity_probing": 4.0},
                "provenance": {"note": "test weights"},
            }
        )
    )
    rows = [["cued", "how old are you\nkeep this between us ok"], ["plain", "lol same"]]
    src = write_csv(tmp_path / "in.csv", ["id", "segment"], rows)
    scan(settings, src, tmp_path / "s.csv", no_model=True, weights=weights)
    got = {row["id"]: row for row in read_csv(tmp_path / "s.csv")}
    assert float(got["cued"]["score"]) > 0.5 > float(got["plain"]["score"])
    assert got["cued"]["flagged"] == "1" and got["plain"]["flagged"] == "0"
    with pytest.raises(UserError, match="indicator-weights"):
        scan(settings, src, tmp_path / "s.csv", weights=tmp_path / "absent.json")


# --- the same numbers as triage ------------------------------------------------------------------


def corpus_rows(names: list[str]) -> list[list[str]]:
    """conversation,sender,time,text rows of repository corpus chats, interleaved."""
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    chats = {n: json.loads((CORPORA / f"{n}.json").read_text())["messages"] for n in names}
    rows: list[list[str]] = []
    for i in range(max(len(m) for m in chats.values())):
        for name, msgs in chats.items():
            if i < len(msgs):
                m = msgs[i]
                when = (t0 + timedelta(minutes=m["minutes"])).isoformat()
                rows.append([name, m["sender"], when, m["text"]])
    return rows


@pytest.fixture()
def model_setting(request: pytest.FixtureRequest, model_dir: Path) -> Iterator[Path | None]:
    yield {"default": None, "none": Path("none"), "trained": model_dir}[request.param]


@pytest.mark.parametrize("model_setting", ["default", "none", "trained"], indirect=True)
def test_scan_gives_the_same_numbers_as_triage(tmp_path: Path, model_setting: Path | None) -> None:
    """The same chat, ingested and triaged or scanned from the same file with the same model
    setting, gets the same score, urgency, flags and categories."""
    names = [
        "grooming/fast_gaming_contact",
        "hard_negatives/teen_cinema_plan",
        "case_patterns/parent_negotiates_access",
        "grooming/obfuscated_shorthand",
        "hard_negatives/courier_parents_home",
    ]
    src = write_csv(
        tmp_path / "chats.csv", ["conversation", "sender", "time", "text"], corpus_rows(names)
    )
    settings = Settings(
        home=tmp_path / "ws", user="tester", database_url=None, model_dir=model_setting,
        cache_dir=tmp_path / "cache",
    )  # fmt: skip
    ws, _, _ = init_workspace(settings)
    create_case(ws, "OP-SCAN", "Scan parity", "Test unit", "Europe/London")
    mapping = {"conversation": "conversation", "title": "conversation", "sender": "sender",
               "text": "text", "time": "time"}  # fmt: skip
    ingest_file(ws, "OP-SCAN", src, fmt="generic", mapping=mapping)
    rows = {r.title: r for r in triage(ws, "OP-SCAN", limit=100)}

    out = tmp_path / "scores.jsonl"
    report = scan(settings, src, out)
    assert report.bad_records == 0 and report.layout == "rows"
    scanned = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert set(scanned) == set(rows) == set(names)

    speaker = {r.id: r.speaker for r in default_engine().rules}
    with ws.sessions() as s:
        stored = {a.conversation_id: a for a in s.execute(select(AssessmentRow)).scalars()}
        findings = list(s.execute(select(FindingRow)).scalars())
    for name, row in rows.items():
        d = scanned[name]
        a = stored[row.conversation_id]
        cats = sorted(
            {
                f.category
                for f in findings
                if f.conversation_id == row.conversation_id
                and f.counted
                and speaker.get(f.rule_id) != "child"  # context cues, not risk
            }
        )
        flags = [f["id"] for f in json.loads(a.flags) if f["severity"] > 0]
        assert d["score"] == pytest.approx(row.risk, abs=1e-6), name
        assert d["score"] == pytest.approx(a.risk, abs=1e-6), name
        assert (d["urgency"], d["flags"], d["categories"]) == (a.urgency, flags, cats), name


def test_output_is_plain_csv_the_harness_reads(tmp_path: Path, scorer: Scorer) -> None:
    src = write_csv(tmp_path / "in.csv", ["id", "segment"], [["0", "hi"], ["1", "how old r u"]])
    out = tmp_path / "scores.csv"
    scan_with(scorer, src, out)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,score,flagged,categories,flags,urgency,language,checked,note"
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text))}
    assert all(float(r["score"]) >= 0 and int(float(r["flagged"])) in (0, 1) for r in rows.values())
