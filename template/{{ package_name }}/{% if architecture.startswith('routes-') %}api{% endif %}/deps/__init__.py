"""FastAPI dependencies and their `Annotated` aliases."""
