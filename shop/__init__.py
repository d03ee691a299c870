"""Runs the whole shop in one process: ``./run`` (``python -m shop``)."""
