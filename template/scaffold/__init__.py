"""Writes a new resource (model, schemas, layer modules, routes, migration and tests).

The code comes from the skeleton in this package, rendered from the same template
sources as `items`, so every resource is built like it. Run it as
`python -m <package>.cli new-resource`. A development tool: it sits beside the
application's package, not in it, so the production image leaves it out.
"""
