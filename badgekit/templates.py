"""Badge-class templates: discovery, description and instantiation.

Templates are YAML files in ``templates/badges/`` (shipped with badgekit) or in folders the user
names (``--templates DIR`` or ``templates_dir`` in ``badgekit.toml``; a folder may hold the files
directly or in a ``badges/`` subfolder). A user template with the same name as a shipped one wins.
The file name (without ``.yaml``) is the template's name.

A template file has two parts:

.. code-block:: yaml

    template:                      # the header
      title: Course completion
      summary: One line for `badgekit templates list`.
      description: Longer text for `badgekit templates show`.
      fields:                      # what `badge new` asks for (--set name=value, or a prompt)
        - {name: course_name, prompt: Course name, required: true, example: Python Basics}
        - {name: credits, prompt: Credit hours, type: number}
        - {name: description, prompt: Description, default: "Completed {{course_name}}."}
      levels:                      # optional: a family, one badge class per level
        - {key: awareness, values: {level: Awareness, level_colour: "#2da44e"}}
    badge:                         # the badge class, with placeholders
      type: [Achievement]
      name: "{{course_name}}"
      creditsAvailable: "{{credits|number}}"
      image: {$when: image_url, id: "{{image_url}}", type: Image}
      badgekit: {validity: P2Y, requirements: [{column: score, min: "{{min_score|number}}"}]}

Placeholders: ``{{name}}`` is replaced by the field's text. A string that is exactly one
placeholder takes the filter's type (``|number``, ``|integer``, ``|list`` splits on commas,
``|str``) and, when the value is empty, the member or list item is left out. An object with
``$when: field`` is left out unless the field has a value (``no``, ``false``, ``0`` count as none);
``{$when: f, $value: X}`` stands for ``X``. Besides the fields: ``issuer_name``, ``issuer_id``,
``issuer_url``, ``issuer_email``, ``template``, ``id`` (the badge class id) and ``uuid:label`` (a
UUID derived from the id, for result descriptions and rubric levels); in a family also the level's
``values``, ``level_key``, ``previous_id`` and ``previous_name`` (the level below) and ``lower_ids``
(the ids of every level below, comma-separated: ``"{{lower_ids|list}}"`` is a list).

Ids are stable: unless a value ``id`` is given, a badge class gets ``urn:uuid:`` + UUIDv5 in the URL
namespace of ``"<issuer id>#achievement:<name>"``, so re-creating the same badge gives the same id.

The placeholder language itself (checking and substituting) is :mod:`badgekit._template_placeholders`;
where template files are found, :mod:`badgekit._template_search`.
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from badgekit._template_placeholders import FAMILY_VALUES as FAMILY_VALUES  # re-exported
from badgekit._template_placeholders import FILTERS as FILTERS  # re-exported
from badgekit._template_placeholders import IMPLICIT_VALUES as IMPLICIT_VALUES  # re-exported
from badgekit._template_placeholders import (
    as_text,
    check_placeholders,
    implicit_values,
    render,
    render_text,
    strings_in,
)
from badgekit._template_placeholders import derived_uuid as derived_uuid  # re-exported
from badgekit._template_search import image_template_names as image_template_names  # re-exported
from badgekit._template_search import shipped_templates_dir as shipped_templates_dir  # re-exported
from badgekit._template_search import template_files
from badgekit._template_search import template_names as template_names  # re-exported
from badgekit._yaml import load_yaml_file
from badgekit.badgeclass import POLICY_MEMBER, check_document, is_date, is_http_url, parse_duration
from badgekit.errors import InputError

FIELD_TYPES: tuple[str, ...] = (
    "text",
    "number",
    "integer",
    "url",
    "email",
    "duration",
    "colour",
    "language",
    "list",
    "date",
)
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
_TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_LANGUAGE = re.compile(r"[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class UnknownTemplateError(InputError):
    """No built-in or project template has the name asked for."""

    default_hint = "list the templates with: badgekit templates list"


@dataclass(frozen=True)
class TemplateField:
    """A value a template asks for."""

    name: str
    prompt: str
    default: str | None = None  # may contain placeholders of earlier fields
    required: bool = False
    type: str = "text"
    help: str = ""
    example: str | None = None
    choices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "prompt": self.prompt, "type": self.type, "required": self.required}
        for key in ("default", "help", "example"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.choices:
            out["choices"] = list(self.choices)
        return out


@dataclass(frozen=True)
class TemplateInfo:
    """What ``badgekit templates list|show`` shows about a template."""

    name: str
    title: str
    summary: str
    description: str
    path: Path
    source: str  # "builtin" or the user folder it came from
    fields: tuple[TemplateField, ...]
    levels: tuple[str, ...] = ()  # level keys of a family template, lowest first
    achievement_type: str | None = None

    @property
    def is_family(self) -> bool:
        return bool(self.levels)

    def field(self, name: str) -> TemplateField | None:
        return next((f for f in self.fields if f.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "description": self.description,
            "path": str(self.path),
            "source": self.source,
            "achievementType": self.achievement_type,
            "levels": list(self.levels),
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass(frozen=True)
class Template:
    """A parsed template: its header and the badge body with placeholders."""

    info: TemplateInfo
    body: dict[str, Any] = field(repr=False)
    level_values: tuple[dict[str, str], ...] = field(default=(), repr=False)

    @property
    def name(self) -> str:
        return self.info.name

    def default_for(self, name: str, values: Mapping[str, Any], *, issuer: Mapping[str, Any] | None = None) -> str:
        """The default of field ``name`` given the values so far (defaults may use earlier fields)."""
        f = self.info.field(name)
        if f is None or f.default is None:
            return ""
        ctx = implicit_values(issuer or {}, self.name)
        ctx.update({k: as_text(v) for k, v in values.items()})
        return render_text(f.default, ctx)


@dataclass(frozen=True)
class GeneratedBadge:
    """One badge-class document made from a template, and a suggested file name (no extension)."""

    stem: str
    document: dict[str, Any]
    level: str | None = None


# ---------------------------------------------------------------------------------------------
# discovery (where templates are found: badgekit._template_search)


def list_templates(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> list[TemplateInfo]:
    """Every available template, sorted by name (the user's folders first, then the shipped ones).

    Raises:
        InputError: a folder is missing or a template file is broken (named in the message).
    """
    return [load_template(name, extra_dirs).info for name in template_names(extra_dirs)]


def load_template(name: str, extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> Template:
    """Find and parse template ``name``.

    Raises:
        UnknownTemplateError: no template has that name.
        InputError: the template file is broken.
    """
    files = template_files(extra_dirs)
    if name not in files:
        available = ", ".join(sorted(files)) or "none"
        raise UnknownTemplateError(f"unknown template {name!r}; available: {available}")
    path, source = files[name]
    return parse_template(path, source=source)


def parse_template(path: str | os.PathLike[str], *, source: str = "builtin") -> Template:
    """Parse a template file and check its placeholders.

    Raises:
        InputError: malformed YAML, a missing or bad header, or a placeholder naming nothing.
    """
    p = Path(path)
    raw = load_yaml_file(p)
    if not isinstance(raw, dict) or not isinstance(raw.get("template"), dict) or not isinstance(raw.get("badge"), dict):
        raise InputError(f"{p}: a template needs a 'template' header object and a 'badge' object")
    unknown = set(raw) - {"template", "badge"}
    if unknown:
        raise InputError(f"{p}: $.{sorted(unknown)[0]}: unknown top-level member (expected template, badge)")
    header: dict[str, Any] = raw["template"]
    name = p.stem
    if not _TEMPLATE_NAME.fullmatch(name):
        raise InputError(f"{p}: template file names use a-z, 0-9, - and _")
    if header.get("name", name) != name:
        raise InputError(f"{p}: $.template.name: {header.get('name')!r} differs from the file name {name!r}")
    fields = tuple(_parse_field(p, i, f) for i, f in enumerate(_list(header.get("fields"), p, "$.template.fields")))
    names = [f.name for f in fields]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(f"{p}: $.template.fields: field {sorted(dupes)[0]!r} is declared twice")
    reserved = set(names) & set(IMPLICIT_VALUES + FAMILY_VALUES + ("id",))
    if reserved:
        raise InputError(f"{p}: $.template.fields: {sorted(reserved)[0]!r} is a reserved name")
    levels: list[str] = []
    level_values: list[dict[str, str]] = []
    for i, lv in enumerate(_list(header.get("levels"), p, "$.template.levels")):
        where = f"$.template.levels[{i}]"
        if not isinstance(lv, dict) or not isinstance(lv.get("key"), str) or not _TEMPLATE_NAME.fullmatch(lv["key"]):
            raise InputError(f"{p}: {where}.key: each level needs a key (a-z, 0-9, - and _)")
        values = lv.get("values", {})
        if not isinstance(values, dict) or not all(isinstance(v, str | int | float | bool) for v in values.values()):
            raise InputError(f"{p}: {where}.values: must map names to plain values")
        clash = set(values) & set(names)
        if clash:
            raise InputError(f"{p}: {where}.values.{sorted(clash)[0]}: also declared as a field")
        levels.append(lv["key"])
        level_values.append({k: as_text(v) for k, v in values.items()})
    if len(set(levels)) != len(levels):
        raise InputError(f"{p}: $.template.levels: level keys must be unique")
    body: dict[str, Any] = raw["badge"]
    known = set(names) | set(IMPLICIT_VALUES) | {"id"}
    if levels:
        known |= set(FAMILY_VALUES) | set().union(*(set(v) for v in level_values))
    for where, text in strings_in(body, "$.badge"):
        check_placeholders(p, where, text, known)
    for i, f in enumerate(fields):
        if f.default:
            check_placeholders(p, f"$.template.fields[{i}].default", f.default, set(names[:i]) | set(IMPLICIT_VALUES))
    for i, values in enumerate(level_values):
        for key, text in values.items():
            check_placeholders(p, f"$.template.levels[{i}].values.{key}", text, set(names) | set(IMPLICIT_VALUES))
    achievement_type = body.get("achievementType")
    if isinstance(achievement_type, str) and "{{" in achievement_type and level_values:
        # per level (pathway: "{{kind}}" is Course for a module, MicroCredential for the whole)
        kinds = dict.fromkeys(render_text(achievement_type, values) for values in level_values)
        achievement_type = " / ".join(kinds) if all(k and "{{" not in k for k in kinds) else achievement_type
    info = TemplateInfo(
        name=name,
        title=_str(header.get("title"), name),
        summary=_str(header.get("summary"), ""),
        description=_str(header.get("description"), "").strip(),
        path=p,
        source=source,
        fields=fields,
        levels=tuple(levels),
        achievement_type=achievement_type if isinstance(achievement_type, str) else None,
    )
    return Template(info=info, body=body, level_values=tuple(level_values))


def _list(value: object, p: Path, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{p}: {where}: must be a list")
    return value


def _str(value: object, default: str) -> str:
    return value if isinstance(value, str) else default


def _parse_field(p: Path, i: int, raw: object) -> TemplateField:
    where = f"$.template.fields[{i}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not _FIELD_NAME.fullmatch(raw["name"]):
        raise InputError(f"{p}: {where}.name: each field needs a name (a-z, 0-9 and _)")
    ftype = raw.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise InputError(f"{p}: {where}.type: unknown field type {ftype!r}; known: {', '.join(FIELD_TYPES)}")
    allowed = {"name", "prompt", "default", "required", "type", "help", "example", "choices"}
    extra = set(raw) - allowed
    if extra:
        raise InputError(f"{p}: {where}.{sorted(extra)[0]}: unknown field property")
    default = raw.get("default")
    choices = raw.get("choices") or []
    if not isinstance(choices, list):
        raise InputError(f"{p}: {where}.choices: must be a list")
    return TemplateField(
        name=raw["name"],
        prompt=_str(raw.get("prompt"), raw["name"].replace("_", " ").capitalize()),
        default=None if default is None else as_text(default),
        required=bool(raw.get("required", False)),
        type=ftype,
        help=_str(raw.get("help"), ""),
        example=None if raw.get("example") is None else as_text(raw["example"]),
        choices=tuple(as_text(c) for c in choices),
    )


# ---------------------------------------------------------------------------------------------
# instantiation


def instantiate(
    name: str | Template,
    values: Mapping[str, Any],
    *,
    issuer: Mapping[str, Any],
    extra_dirs: Iterable[str | os.PathLike[str]] = (),
    level: str | None = None,
) -> dict[str, Any]:
    """One badge-class document (the Achievement plus its ``badgekit`` policy) from a template.

    ``values`` fills the template's fields (text, as typed on the command line); ``id`` may be
    given to fix the badge class id. ``creator`` is set to ``issuer`` (an OB Profile). For a family
    template, ``level`` picks the level (the levels below it still give its ``related`` link).

    Raises:
        UnknownTemplateError: no such template.
        InputError: an unknown field, a missing required field, a value of the wrong kind, or
            (naming the template) a generated document that is not a valid badge class.
    """
    extra_dirs = tuple(extra_dirs)
    template = name if isinstance(name, Template) else load_template(name, extra_dirs)
    if template.info.is_family:
        if level is None:
            raise InputError(
                f"template {template.name!r} makes a family of {len(template.info.levels)} badge classes "
                f"({', '.join(template.info.levels)}); pick one with level= or use instantiate_all"
            )
        generated = instantiate_all(template, values, issuer=issuer, extra_dirs=extra_dirs)
        for g in generated:
            if g.level == level:
                return g.document
        raise InputError(f"template {template.name!r} has no level {level!r}; levels: {', '.join(template.info.levels)}")
    if level is not None:
        raise InputError(f"template {template.name!r} has no levels")
    return instantiate_all(template, values, issuer=issuer, extra_dirs=extra_dirs)[0].document


def instantiate_all(
    name: str | Template,
    values: Mapping[str, Any],
    *,
    issuer: Mapping[str, Any],
    extra_dirs: Iterable[str | os.PathLike[str]] = (),
) -> list[GeneratedBadge]:
    """Every badge-class document a template makes: one, or one per level (lowest first), each
    level ``related`` to the one below it.

    Raises: as :func:`instantiate`.
    """
    dirs = tuple(Path(d) for d in extra_dirs)
    template = name if isinstance(name, Template) else load_template(name, dirs)
    if not isinstance(issuer, Mapping) or not isinstance(issuer.get("id"), str) or not issuer["id"]:
        raise InputError("the issuer profile needs an id (run badgekit init, or check badgekit.toml)")
    ctx = resolve_values(template, values, issuer=issuer)
    fixed_id = as_text(values.get("id", "")).strip()
    if fixed_id and template.info.is_family:
        raise InputError(f"template {template.name!r} makes several badge classes; an id cannot be given")
    out: list[GeneratedBadge] = []
    if not template.info.is_family:
        doc = _build(template, ctx, issuer, fixed_id or None, dirs)
        out.append(GeneratedBadge(stem=slugify(_name_of(doc)) or template.name, document=doc))
        return out
    previous: dict[str, Any] | None = None
    for key, level_values in zip(template.info.levels, template.level_values, strict=True):
        lctx = dict(ctx)
        lctx["level_key"] = key
        lctx["lower_ids"] = ",".join(str(g.document["id"]) for g in out)
        lctx["previous_id"] = str(previous["id"]) if previous else ""
        lctx["previous_name"] = _name_of(previous) if previous else ""
        for k, raw in level_values.items():
            lctx[k] = render_text(raw, ctx)
        doc = _build(template, lctx, issuer, None, dirs)
        out.append(GeneratedBadge(stem=slugify(_name_of(doc)) or f"{template.name}-{key}", document=doc, level=key))
        previous = doc
    return out


def resolve_values(template: Template, values: Mapping[str, Any], *, issuer: Mapping[str, Any]) -> dict[str, Any]:
    """Field values after defaults, with every given value checked against its field type.

    Raises:
        InputError: an unknown field, a missing required field, or a value of the wrong kind.
    """
    info = template.info
    declared = {f.name for f in info.fields}
    for key in values:
        if key != "id" and key not in declared:
            names = ", ".join(f.name for f in info.fields)
            raise InputError(f"template {info.name!r} has no field {key!r}; its fields: {names}")
    ctx: dict[str, Any] = implicit_values(issuer, info.name)
    missing: list[str] = []
    for f in info.fields:
        if f.name in values and values[f.name] is not None:
            raw = as_text(values[f.name]).strip()
        elif f.default is not None:
            raw = render_text(f.default, ctx).strip()
        else:
            raw = ""
        if not raw and f.required:
            missing.append(f.name)
        elif raw:
            problem = check_field_value(f, raw)
            if problem:
                raise InputError(f"template {info.name!r}: {f.name}={raw!r}: {problem}", hint=f"set it with --set {f.name}=...")
        ctx[f.name] = raw
    if missing:
        sets = " ".join(f"--set {m}=..." for m in missing)
        raise InputError(f"template {info.name!r}: missing required field(s) {', '.join(missing)}", hint=f"give them with {sets}")
    return ctx


def check_field_value(f: TemplateField, raw: str) -> str | None:
    """Why ``raw`` does not suit field ``f`` (None when it does)."""
    t = f.type
    if f.choices and raw not in f.choices:
        return f"must be one of {', '.join(f.choices)}"
    if t in ("number", "integer"):
        try:
            number = float(raw)
        except ValueError:
            return "is not a number"
        if t == "integer" and not number.is_integer():
            return "is not a whole number"
    elif t == "url" and not is_http_url(raw):
        return "is not an absolute http(s) URL"
    elif t == "email" and not _EMAIL.fullmatch(raw):
        return "is not an email address"
    elif t == "duration":
        try:
            if parse_duration(raw).is_zero:
                return "must be longer than zero"
        except InputError:
            return "is not an ISO 8601 duration such as P2Y, P6M or P90D"
    elif t == "colour" and not _COLOUR.fullmatch(raw):
        return "is not a colour like #1f6feb"
    elif t == "language" and not _LANGUAGE.fullmatch(raw):
        return "is not a language code such as en, fr or pt-BR"
    elif t == "date" and not is_date(raw):
        return "is not a date (YYYY-MM-DD)"
    return None


def achievement_id(issuer_id: str, name: str) -> str:
    """The stable badge class id: ``urn:uuid:`` + UUIDv5(URL namespace, "<issuer id>#achievement:<name>")."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer_id}#achievement:{name.strip()}')}"


def slugify(text: str) -> str:
    """``"Cloud Security: Mastery"`` → ``"cloud-security-mastery"`` (ASCII, for file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def _build(
    template: Template,
    ctx: Mapping[str, Any],
    issuer: Mapping[str, Any],
    fixed_id: str | None,
    extra_dirs: tuple[Path, ...] = (),
) -> dict[str, Any]:
    info = template.info
    body = template.body
    name_value = render(body.get("name", ""), ctx, info.path, "$.badge.name")
    name = name_value if isinstance(name_value, str) else ""
    badge_id = fixed_id or achievement_id(str(issuer["id"]), name)
    full = dict(ctx)
    full["id"] = badge_id
    rendered = render({k: v for k, v in body.items() if k not in ("id", "creator")}, full, info.path, "$.badge")
    assert isinstance(rendered, dict)
    policy = rendered.pop(POLICY_MEMBER, None)
    doc: dict[str, Any] = {"id": badge_id}
    doc.update(rendered)
    doc["creator"] = _profile(issuer)
    policy = dict(policy) if isinstance(policy, dict) else {}
    policy["template"] = info.name
    doc[POLICY_MEMBER] = policy
    folder = info.path.parent
    own = (folder.parent,) if folder.name == "badges" else (folder,)  # the folder the template came from
    problems = check_document(doc, templates_dirs=(*extra_dirs, *own))
    if problems:
        first = problems[0]
        raise InputError(
            f"template {info.name!r} made an invalid badge class: {first.path}: {first.message}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            hint="check the values given with --set",
        )
    return doc


def _profile(issuer: Mapping[str, Any]) -> dict[str, Any]:
    profile = {k: copy.deepcopy(v) for k, v in issuer.items() if v not in (None, "", [], {})}
    profile.setdefault("type", ["Profile"])
    return profile


def _name_of(doc: Mapping[str, Any] | None) -> str:
    value = (doc or {}).get("name")
    return value if isinstance(value, str) else ""


__all__ = [
    "GeneratedBadge",
    "Template",
    "TemplateField",
    "TemplateInfo",
    "UnknownTemplateError",
    "achievement_id",
    "check_field_value",
    "derived_uuid",
    "image_template_names",
    "instantiate",
    "instantiate_all",
    "list_templates",
    "load_template",
    "parse_template",
    "resolve_values",
    "shipped_templates_dir",
    "slugify",
    "template_names",
]
