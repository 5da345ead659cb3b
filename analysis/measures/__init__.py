"""Measures: pure functions, an articles table in, a tidy table out."""
