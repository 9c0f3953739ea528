"""Benchmarks, kept apart from tests. Each prints its figures as one JSON line at the end."""
