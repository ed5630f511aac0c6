"""One function per endpoint: service calls in, response schemas out."""
