"""A resource as the command line describes it, checked before anything is written."""

import importlib
import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LAYOUT = Path(__file__).with_name("layout.json")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Columns every resource has, and names the ORM or Pydantic keep for themselves.
RESERVED_FIELDS = {
    "id",
    "owner_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "metadata",
    "registry",
}
MAX_NAME = 24
# The forms with arguments: `str(N)` (at most N characters), `enum(a,b,...)` and
# `ref(<plural>)` (a live row of another resource, by its id).
STR_FORM = re.compile(r"^str\((\d{1,5})\)$")
ENUM_FORM = re.compile(r"^enum\(([^()]*)\)$")
REF_FORM = re.compile(r"^ref\(([^()]*)\)$")
# A resource's tests make its rows with this function (the skeleton writes one).
CREATOR = re.compile(r"^async def create_([a-z][a-z0-9_]*)\(", re.MULTILINE)
MAX_STR = 5000
MAX_CHOICES = 30
FORMS = f"str(N) with N from 1 to {MAX_STR}, enum(a,b,...), ref(<plural>)"


class ResourceError(ValueError):
    """A request the command refuses; nothing has been written."""


@dataclass(frozen=True)
class FieldSpec:
    """One `--field NAME:TYPE[?]`."""

    name: str
    type: str
    optional: bool


def load_layout() -> dict[str, Any]:
    """The project's facts the command writes by (rendered with the project)."""
    layout: dict[str, Any] = json.loads(LAYOUT.read_text())
    return layout


def singular_of(plural: str) -> str:
    """The singular of an English plural, or the plural itself if no rule fits."""
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x")):
        if plural.endswith(ending):
            return plural[: -len(ending)] + replacement
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural[:-1]
    return plural


def _check_name(name: str, what: str) -> None:
    if not IDENTIFIER.match(name):
        msg = (
            f"{what} {name!r} must be lowercase snake_case: a letter, then letters, "
            "digits and single underscores"
        )
        raise ResourceError(msg)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        msg = f"{what} {name!r} is a Python keyword"
        raise ResourceError(msg)
    if len(name) > MAX_NAME:
        msg = f"{what} {name!r} is longer than {MAX_NAME} characters"
        raise ResourceError(msg)


def parse_field(spec: str, types: dict[str, Any]) -> FieldSpec:
    """Read `NAME:TYPE` or `NAME:TYPE?` (optional, nullable)."""
    name, sep, type_ = spec.partition(":")
    if not sep:
        msg = f"field {spec!r} must be NAME:TYPE, e.g. name:str or due:date?"
        raise ResourceError(msg)
    _check_name(name, "field")
    if name in RESERVED_FIELDS or name.startswith("model_"):
        msg = f"field {name!r} is reserved: every resource has it or a library uses it"
        raise ResourceError(msg)
    optional = type_.endswith("?")
    type_ = type_.removesuffix("?")
    spec_ = FieldSpec(name=name, type=type_, optional=optional)
    type_facts(spec_, types)  # refuses an unknown type or a bad form
    return spec_


def type_facts(spec: FieldSpec, types: dict[str, Any]) -> dict[str, Any]:
    """The type table's row for `spec`, derived from `str` for the forms."""
    if spec.type in types:
        facts: dict[str, Any] = types[spec.type]
        return facts
    if match := STR_FORM.match(spec.type):
        return _str_facts(spec, int(match[1]), types["str"])
    if match := ENUM_FORM.match(spec.type):
        return _enum_facts(spec, match[1].split(","), types["str"])
    if match := REF_FORM.match(spec.type):
        return _ref_facts(spec, match[1], types["int>0"])
    msg = (
        f"field {spec.name!r}: unknown type {spec.type!r}; use one of "
        f"{', '.join(types)}, or {FORMS}"
    )
    raise ResourceError(msg)


def _str_facts(spec: FieldSpec, length: int, text: dict[str, Any]) -> dict[str, Any]:
    if not 1 <= length <= MAX_STR:
        msg = f"field {spec.name!r}: str(N) takes N from 1 to {MAX_STR}"
        raise ResourceError(msg)
    column = f"String({length})"
    samples = {}
    if length < len("unique 999"):
        # Short codes: samples of that length, distinct from each other.
        samples = {
            "sample": json.dumps("a" * length),
            "other": json.dumps("b" * length),
            "nth": f'"cdefghijkl"[n % 10] * {length}',
        }
    return {
        **text,
        **samples,
        # A short code is matched whole, not searched (nor do the tests' texts fit).
        "searchable": length >= len("apple juice"),
        "column": column,
        "sa_type": column,
        "constraints": f"min_length=1, max_length={length}",
        "optional_constraints": f"max_length={length}",
        "sql": {"sqlite": f"VARCHAR({length})", "postgresql": f"VARCHAR({length})"},
        "bad": f'"x" * {length + 1}',
    }


def _enum_facts(
    spec: FieldSpec,
    choices: list[str],
    text: dict[str, Any],
) -> dict[str, Any]:
    for choice in choices:
        _check_name(choice, f"field {spec.name!r}: choice")
    if not 2 <= len(choices) <= MAX_CHOICES:
        msg = f"field {spec.name!r}: enum() takes 2 to {MAX_CHOICES} choices"
        raise ResourceError(msg)
    if len(set(choices)) < len(choices):
        msg = f"field {spec.name!r}: enum() names a choice twice"
        raise ResourceError(msg)
    quoted = ", ".join(json.dumps(choice) for choice in choices)
    length = max(len(choice) for choice in choices)
    # VARCHAR with a CHECK constraint (named ck_<table>_<field>), alike on SQLite
    # and PostgreSQL: no native type to alter when a choice is added.
    column = (
        f"Enum({quoted}, name={json.dumps(spec.name)}, native_enum=False, "
        f"create_constraint=True, length={length})"
    )
    return {
        **text,
        "sqlmodel_sa_type": column,
        "schema_annotation": f"Literal[{quoted}]",
        "column": column,
        "sa_type": column,
        "constraints": "",
        "optional_constraints": "",
        "searchable": False,
        "sql": {"sqlite": f"VARCHAR({length})", "postgresql": f"VARCHAR({length})"},
        "sample": json.dumps(choices[0]),
        "other": json.dumps(choices[1]),
        "bad": json.dumps("not one of them"),
        "nth": json.dumps(choices[0]),
    }


def _ref_facts(spec: FieldSpec, plural: str, key: dict[str, Any]) -> dict[str, Any]:
    _check_name(plural, f"field {spec.name!r}: ref() of")
    if not spec.name.endswith("_id"):
        msg = (
            f"field {spec.name!r}: a reference holds an id, so its name ends in _id, "
            f"e.g. {singular_of(plural)}_id:ref({plural})"
        )
        raise ResourceError(msg)
    # ON DELETE NO ACTION (the default): a row that others name cannot be removed
    # from the table, but the API deletes softly, and a user's deletion removes their
    # rows of both tables in one statement.
    column = f'ForeignKey("{plural}.id"), index=True'
    return {
        **key,
        "column": column,
        "sa_type": "Integer",
        "searchable": False,
        "sortable": False,
        "sample": "1",
        "other": "2",
        "bad": "0",
        "nth": "1",
        "ref": True,
        "ref_plural": plural,
    }


def reference(
    built: dict[str, Any],
    *,
    plural: str,
    owned: bool,
    layout: dict[str, Any],
) -> dict[str, Any]:
    """What `built`'s `ref(<plural>)` names, read from the project's models and tests.

    A resource's rows may name an owned resource's rows only if they are owned too
    (of the same owner), and any shared resource's. Their tests create the rows named
    with the other resource's `create_<singular>` (its tests' module).
    """
    name, target = built["name"], built["ref_plural"]
    if target == plural:
        msg = f"field {name!r}: a resource cannot refer to itself; add it by hand"
        raise ResourceError(msg)
    package = layout["package"]
    importlib.import_module(f"{package}.models")
    metadata = importlib.import_module(f"{package}.core.database").Base.metadata
    table = metadata.tables.get(target)
    if table is None or "deleted_at" not in table.c or target == "users":
        msg = f"field {name!r}: ref({target}) names no resource of this project"
        raise ResourceError(msg)
    target_owned = "owner_id" in table.c
    if target_owned and not owned:
        msg = (
            f"field {name!r}: a shared resource cannot refer to {target}, whose rows "
            "are their owners' alone"
        )
        raise ResourceError(msg)
    tests = Path(layout["tests"].replace("@{ plural }@", target))
    creator = CREATOR.search(tests.read_text()) if tests.exists() else None
    if creator is None:
        msg = (
            f"field {name!r}: {tests} has no create_<singular>(client, app, headers, "
            f"**fields), by which the tests make the {target} rows they refer to "
            "(new-resource writes one; rename an older `_create` to it)"
        )
        raise ResourceError(msg)
    if target_owned:
        for column in table.c:
            targets = {key.column.table for key in column.foreign_keys}
            shared = [t for t in targets if "owner_id" not in t.c and t.name != "users"]
            if shared and not column.nullable:
                msg = (
                    f"field {name!r}: {target}.{column.name} must name a row of "
                    f"{shared[0].name}, which only an admin creates, so the tests "
                    f"could not create {target} rows for a user; refer to "
                    f"{shared[0].name} directly"
                )
                raise ResourceError(msg)
    return {"ref_singular": creator[1], "ref_owned": target_owned}


def field(spec: FieldSpec, types: dict[str, Any]) -> dict[str, Any]:
    """A field as the skeleton uses it; the template derives `items`' fields alike."""
    t = type_facts(spec, types)
    constraints = t["optional_constraints"] if spec.optional else t["constraints"]
    opt = " | None" if spec.optional else ""
    schema = t["schema_annotation"] + opt
    default = ["default=None"]
    # Pydantic takes `strict` as an argument; SQLModel's Field passes it on.
    strict = ["strict=True"] if t["strict"] else []
    rules = [constraints] if constraints else []
    sa_type = [f"sa_type={t['sqlmodel_sa_type']}"] if t["sqlmodel_sa_type"] else []
    extra = ['schema_extra={"strict": True}'] if t["strict"] else []
    # A reference's foreign key and index, on the table only: the schemas take the id.
    ref = bool(t.get("ref"))
    link = [f'foreign_key="{t["ref_plural"]}.id"', "index=True"] if ref else []
    never_null = '"json_schema_extra": never_null}'
    never_null = ('{"strict": True, ' if t["strict"] else "{") + never_null
    create_args = (default if spec.optional else []) + strict + rules
    sqlmodel_args = (default if spec.optional else []) + rules + sa_type + link + extra
    update = f"{t['schema_annotation']} | None = Field("
    update_args = [*default, *strict, *rules]
    never_null_args = [*update_args, "json_schema_extra=never_null"]
    sqlmodel_never_null = [*default, *rules, f"schema_extra={never_null}"]
    return {
        # What a reference names: the other resource's table, singular and owners.
        "ref_plural": "",
        "ref_singular": "",
        "ref_owned": False,
        **t,
        "ref": ref,
        "skeleton": False,
        "name": spec.name,
        "type": spec.type,
        "optional": spec.optional,
        "annotation": t["annotation"] + opt,
        "create_form": _form(schema, create_args),
        "update_form": update + ", ".join(update_args) + ")",
        "update_never_null": update + ", ".join(never_null_args) + ")",
        "sqlmodel_form": _form(schema, sqlmodel_args),
        "sqlmodel_update_form": update + ", ".join(default + rules + extra) + ")",
        "update_never_null_sqlmodel": update + ", ".join(sqlmodel_never_null) + ")",
    }


def _form(annotation: str, arguments: list[str]) -> str:
    """`annotation`, with `= Field(...)` when there are arguments."""
    if not arguments:
        return annotation
    return f"{annotation} = Field({', '.join(arguments)})"


def entity(
    plural: str,
    *,
    fields: list[str],
    unique: list[str],
    owned: bool,
    singular: str | None = None,
) -> dict[str, Any]:
    """The resource to render the skeleton with; a `ResourceError` says why not."""
    layout = load_layout()
    types: dict[str, Any] = layout["field_types"]
    _check_name(plural, "resource")
    singular = singular or singular_of(plural)
    _check_name(singular, "singular")
    if singular == plural:
        msg = f"cannot tell the singular of {plural!r}: give it with --singular"
        raise ResourceError(msg)
    specs = [parse_field(spec, types) for spec in fields or ["name:str"]]
    names = [spec.name for spec in specs]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        msg = f"field {duplicates[0]!r} is given twice"
        raise ResourceError(msg)
    for name in unique:
        if name not in names:
            msg = f"--unique {name!r} names no field; fields: {', '.join(names)}"
            raise ResourceError(msg)
        if specs[names.index(name)].type == "bool":
            msg = f"--unique {name!r}: a bool has two values, so at most two live rows"
            raise ResourceError(msg)
        if ENUM_FORM.match(specs[names.index(name)].type):
            msg = f"--unique {name!r}: an enum has few values, so as few live rows"
            raise ResourceError(msg)
        if REF_FORM.match(specs[names.index(name)].type):
            msg = f"--unique {name!r}: a reference cannot be; add the index by hand"
            raise ResourceError(msg)
    built = [field(spec, types) for spec in specs]
    for built_field in built:
        if built_field["ref"]:
            target = reference(built_field, plural=plural, owned=owned, layout=layout)
            built_field.update(target)
    noun = singular.replace("_", " ")
    article = "an" if noun[0] in "aeiou" else "a"
    sortable = [f for f in built if f["sortable"]]
    sort = ["created_at", *(f["name"] for f in sortable), "id"]
    required = [f for f in built if not f["optional"]]
    return {
        "skeleton": False,
        "plural": plural,
        "singular": singular,
        "Entity": "".join(part.capitalize() for part in singular.split("_")),
        "Plural": plural.replace("_", " ").capitalize(),
        "PLURAL": plural.upper(),
        "noun": noun,
        "Noun": noun.capitalize(),
        "a": f"{article} {noun}",
        "A": f"{article.capitalize()} {noun}",
        "owned": owned,
        "exports": False,
        "fields": built,
        # The fields whose sample values make a body; references take live rows' ids.
        "sampled": [f for f in built if not f["ref"]],
        "refs": [f for f in built if f["ref"]],
        # References of an owned resource to shared ones: an admin makes those rows.
        "admin_refs": [f for f in built if f["ref"] and owned and not f["ref_owned"]],
        "required": required,
        "searchable": [f for f in built if f["searchable"]],
        "sortable": sortable,
        "unique": [f for f in built if f["name"] in unique],
        "sort_keys": ", ".join(f'"{key}", "-{key}"' for key in sort),
        "required_names": ", ".join(json.dumps(f["name"]) for f in required),
        "unique_names": ", ".join(json.dumps(name) for name in unique),
    }
