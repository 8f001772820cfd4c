"""SQLAlchemy tables, one module per domain: ``access`` (users, membership, sessions, tokens),
``cases`` (cases and case work), ``evidence``, ``conversations``, ``analysis``, ``intel``,
``media``. Importing the package registers every table on ``Base.metadata``.

ORM classes are named for one row of their table. Where that name is already a dataclass of
the pure core (``Conversation``, ``Message``, ``Finding``, ``Assessment``, ``Identifier`` …), the
class takes a ``Row`` suffix (``MessageRow``), so the two never meet under one name.
"""

from vigil.db.tables import (  # noqa: F401  (registers every table)
    access,
    analysis,
    capture,
    cases,
    conversations,
    cover,
    disclosure,
    evidence,
    intel,
    jobs,
    leads,
    media,
    ocr,
    redaction,
    review,
)
