"""Items owned by users."""
