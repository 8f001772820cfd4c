"""Access matrix: evidence in from the browser (uploads and jobs; docs/upload.md).

Uploads belong to their case: members who may write in it may continue and complete one.
A job is seen by the members of its case who may read it. The matrix uses one complete
upload of OP-WEB (so status, an empty chunk at offset 0 and completing again all succeed for
those allowed) and its queued job.
"""

from __future__ import annotations

from typing import Any

from tests.web.conftest import CASE
from vigil.services.access import get_user, principal_of
from vigil.services.jobs import uploads

C = "/cases/{case_ref}"
U = "/api/v1/uploads/{upload_token}"
ROUTES: dict[tuple[str, str], str] = {
    ("GET", C + "/upload"): "case:write",
    ("GET", "/jobs"): "signed-in",
    ("GET", "/jobs/{job_id}"): "case:read",
    ("POST", "/api/v1" + C + "/uploads"): "case:write",
    ("GET", U): "case:write",
    ("PUT", U): "case:write",
    ("POST", U + "/complete"): "case:write",
    ("GET", "/api/v1/jobs"): "signed-in",
    ("GET", "/api/v1/jobs/{job_id}"): "case:read",
}
BODIES: dict[str, Any] = {
    "/api/v1" + C + "/uploads": {
        "name": "matrix.txt",
        "size": 5,
        "kind": "other",
        "source": "access matrix",
        "acquired_by": "Matrix Officer",
    },
    U + "/complete": {},
}
QUERIES = {U: "offset=0"}

_MADE: dict[int, uploads.UploadStatus] = {}


def _upload(world: Any) -> uploads.UploadStatus:
    """A complete upload of OP-WEB by the investigator on it, with its (queued) job."""
    if id(world) not in _MADE:
        ws = world.ws
        with ws.sessions() as s:
            user = principal_of(get_user(s, world.accounts[("investigator", True)].username), "m")
        opts = uploads.UploadOptions(source="access matrix", acquired_by="Matrix Officer")
        st = uploads.start_upload(ws, user, CASE, "matrix.bin", 3, "other", opts)
        uploads.write_chunk(ws, user, st.token, 0, b"abc")
        _MADE[id(world)] = uploads.complete_upload(ws, user, st.token)
    return _MADE[id(world)]


FILLS = {
    "{upload_token}": lambda world, method, path: _upload(world).token,
    "{job_id}": lambda world, method, path: str(_upload(world).job_id),
}
