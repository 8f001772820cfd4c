"""Indicator categories and patterns as data: one YAML file per category, see docs/taxonomy.md."""
