"""The HTTP edge: routes and the dependencies they declare."""
