"""Data access per table: queries and writes, no business rules."""
