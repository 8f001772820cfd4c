"""Reports: statistics and platform intelligence computed from records, and their renderers.

The computations (:mod:`.stats`, :mod:`.platforms`) are pure: they take rows and return
report dataclasses. :mod:`vigil.services.reports` loads the rows; ``render_*`` modules turn a
report into HTML, PDF, CSV or JSON.
"""
