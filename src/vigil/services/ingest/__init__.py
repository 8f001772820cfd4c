"""Ingesting chat evidence: ``run`` (register, parse, store in one transaction), ``pipe``
(a worker process parses while this one writes), ``rows`` (conversations to rows), ``store``
(writing them)."""
