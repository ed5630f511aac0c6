"""Business logic: plain async functions, session first, keyword-only arguments."""
