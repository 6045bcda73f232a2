"""Benchmarks: `scripts/bench` (python -m tests.bench). They print figures; nothing here is a timed test."""
