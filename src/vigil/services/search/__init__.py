"""Full-text search across the conversations a person may read (docs/search.md).

``query`` reads queries and makes the index's words (pure); ``index`` builds the index after
ingest; ``find`` matches the index under the filters; ``hits`` reads each hit in context;
``run`` searches, under need to know, with a purpose, one audit entry per search.
"""

from vigil.services.search.hits import SearchHit, ShownMessage
from vigil.services.search.index import IndexStatus
from vigil.services.search.run import (
    SearchPage,
    SearchPurposeRequired,
    SearchQuery,
    SearchScope,
    parse_bound,
    search,
    search_scope,
    update_index,
)

__all__ = [
    "IndexStatus",
    "SearchHit",
    "SearchPage",
    "SearchPurposeRequired",
    "SearchQuery",
    "SearchScope",
    "ShownMessage",
    "parse_bound",
    "search",
    "search_scope",
    "update_index",
]
