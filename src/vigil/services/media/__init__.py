"""Media use cases: ``scan`` (register, hash, find markers, match), ``lists`` (hash lists:
import and matching), ``review`` (queue, two-person grading, thumbnails, VICS export)."""
