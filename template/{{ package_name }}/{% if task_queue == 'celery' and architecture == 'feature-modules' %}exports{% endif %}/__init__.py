"""Item exports built by the worker."""
