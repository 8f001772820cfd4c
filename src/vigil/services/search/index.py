"""Building the full-text index of messages, after ingest, conversation by conversation.

Why not at ingest: normalising and indexing cost about as much again as the ingest itself
(a million short messages: 5-8 s of normalising plus 4-5 s of FTS inserts on one core), and
the ingest of a million messages must stay within its time budget with triage
(``bench/triage_e2e.py``). So the ingest transaction writes nothing here; the index catches up
later, in its own transactions of at most :data:`CHUNK` messages:

- ``vigil search`` brings the index of the cases it searches up to date before searching
  (``vigil search --update-index`` does only that);
- a search on the web or the API indexes at most :data:`INLINE_BUDGET` more messages of the
  cases it searches, then searches; what is still missing is reported with the results
  (:class:`IndexStatus`), so a page says plainly that the index is still being built.

Which messages are in the index is kept per conversation in ``search_state`` (how far,
``max_seq``; how many, ``messages``; and the :data:`VERSION` of the normaliser and tokeniser
that built it). A new version empties the index and builds it again. Messages are evidence and
never change, so nothing else ever takes a message out of the index.

Concurrent builders do not index a message twice: each transaction first claims its
conversations' ``search_state`` rows (a write, so SQLite's write lock is taken before anything
is read; on PostgreSQL the rows are then locked ``FOR UPDATE``) and reads how far they go only
then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from vigil.analysis.normalise import NORMALISER_VERSION
from vigil.db import session as dbs
from vigil.db.base import SEARCH_PREFIX
from vigil.services.search.query import normalised_texts, tsvector_literal, words
from vigil.services.workspace import Workspace

TABLE_PREFIX = SEARCH_PREFIX
"""Every table of the index starts with this (``search_index``, ``search_state``)."""
VERSION = f"n{NORMALISER_VERSION}-w2"
"""The normaliser's version and the word rules' (:mod:`vigil.services.search.query`)."""
CHUNK = 20_000
"""Messages indexed per transaction."""
INLINE_BUDGET = 20_000
"""Messages a web or API search indexes before it searches (a fraction of a second)."""

Progress = Callable[[int], None] | None


@dataclass(slots=True)
class IndexStatus:
    """How far the index covers the cases asked about."""

    pending_conversations: int = 0
    pending_messages: int = 0
    """Messages of those cases not in the index yet (not searched)."""
    indexed: int = 0
    """Messages indexed by this call."""
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.pending_messages == 0


@dataclass(frozen=True, slots=True)
class _Todo:
    conversation_id: int
    case_id: int
    message_count: int
    indexed: int


@dataclass(frozen=True, slots=True)
class _Known:
    """Every conversation with an id up to ``upto`` was wholly indexed, as checked from
    conversation 1 at ``checked`` (``time.monotonic()``) and from higher ids since."""

    upto: int
    checked: float


_KNOWN: dict[str, _Known] = {}
"""Per database, in this process: what :func:`update` need not look at again. Conversation ids
only grow and messages never change, so a search costs one look at the newest id when
nothing was ingested. Every :data:`RECHECK_SECONDS` the whole workspace is looked at again,
for a conversation whose ingest began before another's but committed after it (PostgreSQL)."""
RECHECK_SECONDS = 60.0


def _ids(ids: Sequence[int]) -> str:
    """Integer ids written into SQL (no bound parameters, so no limit on how many)."""
    return ",".join(str(int(i)) for i in ids) or "NULL"


def pending(session: Session, above: int = 0) -> list[_Todo]:
    """Conversations with an id above ``above`` that have messages not in the index, by id."""
    rows = session.execute(
        text(
            "SELECT c.id, c.case_id, c.message_count, COALESCE(s.messages, 0)"
            " FROM conversations c LEFT JOIN search_state s ON s.conversation_id = c.id"
            " WHERE c.id > :above AND c.message_count > COALESCE(s.messages, 0) ORDER BY c.id"
        ),
        {"above": above},
    ).all()
    return [_Todo(int(a), int(b), int(c), int(d)) for a, b, c, d in rows]


def _status(todo: Sequence[_Todo], case_ids: Sequence[int] | None) -> IndexStatus:
    wanted = None if case_ids is None else set(case_ids)
    mine = [t for t in todo if wanted is None or t.case_id in wanted]
    return IndexStatus(len(mine), sum(t.message_count - t.indexed for t in mine))


def update(
    ws: Workspace,
    case_ids: Sequence[int] | None = None,
    *,
    budget: int | None = None,
    progress: Progress = None,
) -> IndexStatus:
    """Index the messages of ``case_ids`` (or of every case) not in the index yet, at most
    about ``budget`` of them (None: all), and say what is still missing of those cases."""
    t0 = time.perf_counter()
    key = str(ws.engine.url)
    with ws.sessions() as s:
        stale = _stale(s)
    if stale:
        _empty(ws)
        _KNOWN.pop(key, None)
    known = _KNOWN.get(key)
    if known is not None and time.monotonic() - known.checked > RECHECK_SECONDS:
        known = None
    checked = known.checked if known is not None else time.monotonic()
    floor = known.upto if known is not None else 0
    with ws.sessions() as s:
        top = int(s.execute(text("SELECT COALESCE(MAX(id), 0) FROM conversations")).scalar_one())
        if known is not None and floor >= top:
            return IndexStatus(seconds=time.perf_counter() - t0)
        todo = pending(s, floor)
    wanted = None if case_ids is None else set(case_ids)
    done = 0
    for batch in _batches([t for t in todo if wanted is None or t.case_id in wanted]):
        if budget is not None and done >= budget:
            break
        with dbs.transaction(ws.sessions) as session:
            n = _index_batch(session, batch, ws.now().isoformat())
        done += n
        if progress is not None:
            progress(n)
    if done:
        with ws.sessions() as s:
            todo = pending(s, floor)
        if done >= CHUNK:
            _analyse(ws)
    _KNOWN[key] = _Known(todo[0].conversation_id - 1 if todo else top, checked)
    left = _status(todo, case_ids)
    left.indexed, left.seconds = done, time.perf_counter() - t0
    return left


def _analyse(ws: Workspace) -> None:
    """Fresh planner statistics for the tables a search joins, after a large build
    (PostgreSQL; autovacuum would get there later): without them a search of a freshly
    ingested case may walk every message instead of looking words up in the GIN index."""
    with dbs.transaction(ws.sessions) as session:
        if session.get_bind().dialect.name != "sqlite":
            session.execute(text("ANALYZE search_index, search_state, messages, conversations"))


def _batches(todo: Sequence[_Todo]) -> Iterator[list[_Todo]]:
    """Conversations in groups of about :data:`CHUNK` messages still to index; a longer
    conversation alone (its transactions then take :data:`CHUNK` messages at a time)."""
    batch: list[_Todo] = []
    n = 0
    for t in todo:
        left = t.message_count - t.indexed
        if left >= CHUNK:
            for _ in range(-(-left // CHUNK)):
                yield [t]
            continue
        batch.append(t)
        n += left
        if n >= CHUNK:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


def _index_batch(session: Session, batch: Sequence[_Todo], now: str) -> int:
    """Claim, read and index one batch inside the caller's transaction; messages indexed."""
    pg = session.get_bind().dialect.name != "sqlite"
    cids = [t.conversation_id for t in batch]
    session.execute(
        text(
            "INSERT INTO search_state (conversation_id, version, max_seq, messages, indexed_at)"
            " VALUES (:c, :v, 0, 0, :at) ON CONFLICT (conversation_id) DO NOTHING"
        ),
        [{"c": c, "v": VERSION, "at": now} for c in cids],
    )
    lock = " ORDER BY conversation_id FOR UPDATE" if pg else ""
    state = {
        int(c): (int(m), int(n))
        for c, m, n in session.execute(
            text(
                "SELECT conversation_id, max_seq, messages FROM search_state"
                f" WHERE conversation_id IN ({_ids(cids)}){lock}"
            )
        )
    }
    conn = session.connection()
    if len(cids) == 1:
        cid = cids[0]
        rows = conn.exec_driver_sql(
            "SELECT conversation_id, id, seq, text FROM messages"
            f" WHERE conversation_id = {int(cid)} AND seq > {state[cid][0]}"
            f" ORDER BY seq LIMIT {CHUNK}"
        ).all()
    else:
        rows = [
            r
            for r in conn.exec_driver_sql(
                "SELECT conversation_id, id, seq, text FROM messages"
                f" WHERE conversation_id IN ({_ids(cids)}) ORDER BY conversation_id, seq"
            ).all()
            if r[2] > state[r[0]][0]
        ]
    bodies = normalised_texts([r[3] or "" for r in rows])
    if pg and rows:
        raw = conn.connection.driver_connection  # psycopg: COPY, in this transaction
        assert raw is not None
        with raw.cursor() as cur, cur.copy("COPY search_index (message_id, tsv) FROM STDIN") as cp:
            for r, b in zip(rows, bodies, strict=True):
                cp.write_row((r[1], tsvector_literal(b)))
    elif rows:
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(
                "INSERT INTO search_index (rowid, body) VALUES (?, ?)",
                [(r[1], " ".join(words(b))) for r, b in zip(rows, bodies, strict=True)],
            )
        finally:
            cursor.close()
    counts = {t.conversation_id: t.message_count for t in batch}
    reached: dict[int, tuple[int, int]] = {}
    for cid, _, seq, _ in rows:
        top, n = reached.get(cid, (0, 0))
        reached[cid] = (max(top, seq), n + 1)
    updates = []
    for cid in cids:
        max_seq, messages = state[cid]
        top, n = reached.get(cid, (max_seq, 0))
        # nothing new to read although the count says more: the conversation is as indexed
        # as it can be (never read it again)
        total = messages + n if n else max(messages, counts[cid])
        updates.append({"c": cid, "m": top, "n": total, "v": VERSION, "at": now})
    session.execute(
        text(
            "UPDATE search_state SET max_seq = :m, messages = :n, version = :v, indexed_at = :at"
            " WHERE conversation_id = :c"
        ),
        updates,
    )
    return len(rows)


def _stale(session: Session) -> bool:
    """Whether any of the index was built by another :data:`VERSION`."""
    return (
        session.execute(
            text("SELECT 1 FROM search_state WHERE version < :v OR version > :v LIMIT 1"),
            {"v": VERSION},
        ).first()
        is not None
    )


def _empty(ws: Workspace) -> None:
    """Empty the index (to be built again by this version)."""
    with dbs.transaction(ws.sessions) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("INSERT INTO search_index (search_index) VALUES ('delete-all')"))
        else:
            session.execute(text("DELETE FROM search_index"))
        session.execute(text("DELETE FROM search_state"))
