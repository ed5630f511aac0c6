"""Writes a new resource (model, schemas, layer modules, routes, migration and tests).

The code comes from the skeleton beside this package, rendered from the same template
sources as `items`, so every resource is built like it. Run it as
`python -m <package>.cli new-resource`.
"""
