"""Benchmarks: every figure is a ratio against a baseline measured in the same run.

``./run bench`` (or ``python -m bench``) runs them all; see the README's "Performance".
"""
