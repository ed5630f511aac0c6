"""Compiled templates shared by every Copier render in a test process.

Copier builds a new Jinja environment for each render and compiles every template
file again: about 40 % of a render here, and the template's tests render hundreds of
times (each update renders three times). Jinja's bytecode cache keys a compiled
template by its name and the checksum of its source, so a render from another copy
of the template, or from another release of it, still compiles what differs. The
rendered output is the same with or without the cache; commands the tests run as
subprocesses (the copier CLI) do not use it.
"""

from __future__ import annotations

from functools import wraps
from hashlib import sha1
from typing import Any

import copier._main
from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates in memory, keyed by name and the environment's syntax."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        # The file name differs between copies of the template; the name inside it
        # and the settings that change how source compiles do not.
        syntax = repr(
            (
                name,
                environment.block_start_string,
                environment.variable_start_string,
                environment.comment_start_string,
                environment.line_statement_prefix,
                environment.line_comment_prefix,
                environment.trim_blocks,
                environment.lstrip_blocks,
                environment.newline_sequence,
                environment.keep_trailing_newline,
                environment.optimized,
                sorted(environment.extensions),
            )
        )
        bucket = Bucket(
            environment, sha1(syntax.encode()).hexdigest(), self.get_source_checksum(source)
        )
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        if (data := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


CACHE = SharedBytecodeCache()


def install() -> None:
    """Give every Copier worker's environment the shared cache (once per process)."""
    prop = copier._main.Worker.__dict__["jinja_env"]
    if getattr(prop.func, "shares_bytecode", False):
        return
    build = prop.func

    @wraps(build)
    def jinja_env(self: Any) -> Environment:
        env: Environment = build(self)
        env.bytecode_cache = CACHE
        return env

    jinja_env.shares_bytecode = True  # type: ignore[attr-defined]
    prop.func = jinja_env
