"""Sign-up and sign-in: tokens, the current user, login rate limits."""
