"""The config checks that run before any job (the Snakefile calls :func:`config_errors`).

All in one pass, so that one bad key hides no other: NaN or infinity anywhere (a JSON-schema bound
cannot catch NaN); exactly one section per registered figure besides the global keys; ``figures``
names registered figures; the global keys against ``workflow/schemas/config.schema.yaml`` and each
section against its figure's ``schema.yaml`` (in the figure's package); then the cross-key
:attr:`~dltheory.core.contract.Figure.check` of each selected figure whose section passed. Every
message names the key, the value and what is allowed (the allowed keys of a misspelled one, the
length a list needs).

The schemas are applied with jsonschema, the library under ``snakemake.utils.validate``, directly:
``validate`` stops at the first error and prints the whole schema and section with it, where a
user needs every bad key with its path (``phase_diagram.compute.propagation.width: 'wide' is not
of type 'integer'``), and loading each schema once keeps the checks in milliseconds.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

from dltheory.core.contract import ConfigError, non_finite
from dltheory.core.registry import names, registry

GLOBAL_SCHEMA = "workflow/schemas/config.schema.yaml"  # the config's keys besides one section per figure


def selected(config: dict) -> list:
    """The registered figures that ``config['figures']`` asks for ("all", or a list), in registry order."""
    return [fig for fig in registry() if config["figures"] == "all" or fig.name in config["figures"]]


def read_config_file(path: str | Path) -> dict:
    """One YAML config file as a mapping; :class:`~dltheory.core.artifacts.InputError` naming the
    file and what is wrong with it (missing, a folder, not text, not YAML, not a mapping)."""
    import yaml

    from dltheory.core.artifacts import InputError

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; a config file is a YAML file such as config/smoke.yaml") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path} cannot be read as a text file ({error})") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path} is not valid YAML: {' '.join(str(error).split())}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: a config file maps keys to values (figure sections, device, data...); this one holds a {type(data).__name__}"
        )
    return data


def load_config(configfiles: list[str | Path], root: str | Path = ".") -> dict:
    """config/config.yaml overlaid by ``configfiles`` in order, with Snakemake's recursive merge
    (``snakemake.utils.update_config``): a later file wins, key by key."""
    from snakemake.utils import update_config

    config = read_config_file(Path(root) / "config/config.yaml")
    for path in configfiles:
        update_config(config, read_config_file(path))
    return config


def valid_config(configfiles: list[str | Path], root: str | Path = ".") -> dict:
    """:func:`load_config`, checked: :class:`~dltheory.core.artifacts.InputError` with every
    message of :func:`config_errors` if anything is wrong."""
    from dltheory.core.artifacts import InputError

    config = load_config(configfiles, root)
    errors = config_errors(config, root)
    if errors:
        raise InputError(invalid_config(errors))
    return config


def invalid_config(errors: list[str]) -> str:
    """The one message of a refused config: a header, then each error indented on its own line(s)."""
    return "invalid config (nothing was run or deleted):\n  " + "\n  ".join(e.replace("\n", "\n  ") for e in errors)


def config_errors(config: dict, root: str | Path) -> list[str]:
    """Everything wrong with ``config`` (merged from every config file), as messages; [] if nothing.
    ``root``: the repository, whose ``workflow/schemas/config.schema.yaml`` holds the global keys' schema.

    One pass reports every bad key: a NaN, an unknown or missing section does not hide the bad
    values beside it. A figure's cross-key check runs only on a section its schema accepted (the
    check reads typed values), and only when the global keys are valid too."""
    figure_names = names()
    root = Path(root).resolve()
    global_keys = list(_validator(str(root / GLOBAL_SCHEMA)).schema["properties"])  # the schema's order
    errors = non_finite(config)
    bad_sections = {key for key, value in config.items() if non_finite(value)}
    unknown = sorted(set(config) - set(global_keys) - set(figure_names))
    if unknown:
        errors.append(f"{', '.join(unknown)}: unknown config key(s); allowed: {', '.join([*global_keys, *figure_names])}")
    missing = [key for key in [*global_keys, *figure_names] if key not in config]
    if missing:
        errors.append(f"{', '.join(missing)}: missing from the config (config/config.yaml gives every key)")
    figures = config.get("figures")
    if isinstance(figures, list) and set(figures) - set(figure_names):
        errors.append(
            f"figures: {[f for f in figures if f not in figure_names]} are not figures; allowed: all, or a list of {', '.join(figure_names)}"
        )
    schemas = {None: root / GLOBAL_SCHEMA} | {fig.name: fig.folder / "schema.yaml" for fig in registry()}
    for section, schema in schemas.items():
        if section is not None and section not in config:
            continue
        found = _schema_errors(config if section is None else config[section], schema, section, root)
        errors += found
        # the top-level key of each message ("data.test_fraction: ..." -> data; "config: ..." -> config)
        bad_sections |= {section} if found and section else {m.split(":")[0].split(".")[0].split("[")[0] for m in found}
    if bad_sections & {"config", "figures", "data"} or missing:  # what the cross-key checks read besides their section
        return errors
    for fig in selected(config):
        if fig.name in bad_sections:
            continue
        try:
            fig.check(config)
        except ConfigError as error:
            errors += error.messages
    return errors


def _schema_errors(instance, schema: Path, section: str | None, root: Path) -> list[str]:
    """Each schema error of one section as ``key: what is wrong; allowed: what is`` (the key's
    full path, the allowed keys of a mapping, the length a list needs). A non-finite number is
    reported once, by :func:`~dltheory.core.contract.non_finite`, not again as a type error here."""
    shown = schema.relative_to(root) if schema.is_relative_to(root) else schema
    messages = []
    for error in sorted(_validator(str(schema)).iter_errors(instance), key=lambda e: list(map(str, e.path))):
        if isinstance(error.instance, float) and not math.isfinite(error.instance):
            continue
        if error.validator == "required" and not error.path:
            continue  # a missing section or global key: reported once, with the others missing
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
        key = f"{section}{key}" if section else key.lstrip(".") or "config"
        messages.append(f"{key}: {_what_is_wrong(error)} (schema: {shown})")
    return messages


def _what_is_wrong(error) -> str:
    """The schema error's message with what is allowed: jsonschema's "('x' was unexpected)", "is
    too short" and "not valid under any of the given schemas" say nothing of it."""
    if error.validator == "additionalProperties":
        allowed = ", ".join(error.schema.get("properties", {})) or "none"
        return f"{error.message}; allowed keys: {allowed}"
    if error.validator in ("minItems", "maxItems"):
        bound = "at least" if error.validator == "minItems" else "at most"
        allowed = f"{bound} {error.validator_value} item{'s' if error.validator_value != 1 else ''}"
        described = error.schema.get("description")
        return f"{error.message}; allowed: {allowed}" + (f" ({described})" if described else "")
    if error.validator in ("oneOf", "anyOf") and error.schema.get("description"):
        return f"{error.message}; allowed: {error.schema['description']}"
    return error.message


@functools.cache
def _validator(schema: str):
    """A JSON-schema validator of the YAML file ``schema``; relative ``$ref`` (e.g. to
    ``../common.schema.yaml``) resolve from the schema's folder."""
    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    def load(uri: str) -> Resource:
        # libyaml's parser where PyYAML has it: a dry run reads every figure's schema
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return Resource.from_contents(yaml.load(Path(uri.removeprefix("file://")).read_text(), Loader=loader))

    uri = Path(schema).resolve().as_uri()
    return Draft202012Validator({**load(uri).contents, "$id": uri}, registry=Registry(retrieve=load))
