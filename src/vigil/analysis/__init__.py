"""Grooming-risk analysis: indicator taxonomy, text normalisation, scanning and scoring.

Everything here is a pure function of its inputs. The output is a lead for a trained person,
never a verdict.
"""
