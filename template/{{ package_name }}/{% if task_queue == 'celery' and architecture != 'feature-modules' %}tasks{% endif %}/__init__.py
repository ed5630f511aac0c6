"""Celery tasks: the worker's entry points."""
