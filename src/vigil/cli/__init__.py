"""The ``vigil`` command: a thin layer over services."""
