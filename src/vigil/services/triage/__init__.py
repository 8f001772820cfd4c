"""Triage: ``run`` analyses, ranks and explains conversations; ``load`` reads stored
messages fast."""
