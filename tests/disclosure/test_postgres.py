"""The same disclosure work on PostgreSQL (migration 0018 is portable): decisions, a revision,
its service, and the revised-schedule flag."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.disclosure import readback
from vigil.config import Settings
from vigil.services.access import as_user
from vigil.services.cases import create_case
from vigil.services.disclosure.decide import Decision, decide_many
from vigil.services.disclosure.schedules import mark_served, overview, write_schedule
from vigil.services.evidence.exhibits import register_stream
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import init_workspace


@pytest.mark.postgres
def test_disclosure_on_postgres(pg_url: str, tmp_path: Path) -> None:
    ws, _, _ = init_workspace(Settings(home=tmp_path / "pg", database_url=pg_url, user="pg.t"))
    create_case(ws, "OP-PG", "Postgres disclosure", None, "UTC")
    create_user(ws, "pg.do", "disclosure_officer")
    set_membership(ws, "pg.do", "OP-PG", True)
    for n in range(3):
        register_stream(ws, "OP-PG", io.BytesIO(f"synthetic log {n}".encode()),
                        original_name=f"log{n}.txt", original_path=None, source="force system",
                        acquired_by="Sam Example")  # fmt: skip
    do = as_user(ws, "pg.do")
    keys = [i.key for i in overview(do, "OP-PG").items]
    decide_many(do, "OP-PG", [Decision(k, "unused", f"log {k}", n == 1)
                              for n, k in enumerate(keys)])  # fmt: skip
    w = write_schedule(do, "OP-PG", "mg6c", "ods", tmp_path / "mg6c.ods")
    _, rows = readback.ods_rows(tmp_path / "mg6c.ods")
    assert sorted(r[1] for r in rows) == sorted(keys) and w.revision.rows == 3
    mark_served(do, "OP-PG", w.revision.number, "CPS")
    decide_many(do, "OP-PG", [Decision(keys[0], "sensitive")])
    kinds = {k.kind: k for k in overview(do, "OP-PG").kinds}
    assert kinds["mg6c"].revision_needed and kinds["mg6c"].changes.removed == [keys[0]]
