"""Need-to-know reads and actions behind the pages and the API.

Each function takes the workspace and the signed-in :class:`~vigil.services.access.Principal`,
checks membership and role through :func:`vigil.services.access.require_case` before touching
case material, records every view of message content with the stated purpose, and returns
plain dataclasses that the HTML templates and the JSON API both render. Routes hold no query
logic and no access rules of their own.
"""
