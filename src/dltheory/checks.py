"""The config checks that run before any job (the Snakefile calls :func:`config_errors`).

In order: no NaN or infinity anywhere (a JSON-schema bound cannot catch NaN); exactly one section
per registered figure besides the global keys; ``figures`` names registered figures; the global
keys against ``workflow/schemas/config.schema.yaml`` and each section against
``workflow/schemas/<figure>.schema.yaml``; then each selected figure's cross-key
:attr:`~dltheory.contract.Figure.check`. Every message names the key, the value and what is allowed.

The schemas are applied with jsonschema, the library under ``snakemake.utils.validate``, directly:
``validate`` stops at the first error and prints the whole schema and section with it, where a
user needs every bad key with its path (``phase_diagram.compute.propagation.width: 'wide' is not
of type 'integer'``), and loading each schema once keeps the checks in milliseconds.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .contract import ConfigError, non_finite
from .figures import NAMES, figure

GLOBAL_KEYS = ("device", "figures", "data")  # the config's keys besides one section per figure


def selected(config: dict) -> list:
    """The registered figures that ``config['figures']`` asks for ("all", or a list), in registry order."""
    return [figure(name) for name in NAMES if config["figures"] == "all" or name in config["figures"]]


def config_errors(config: dict, root: str | Path) -> list[str]:
    """Everything wrong with ``config`` (merged from every config file), as messages; [] if nothing.
    ``root``: the repository, whose ``workflow/schemas`` hold the schemas."""
    errors = non_finite(config)
    unknown = sorted(set(config) - set(GLOBAL_KEYS) - set(NAMES))
    if unknown:
        errors.append(f"{', '.join(unknown)}: unknown config key(s); allowed: {', '.join([*GLOBAL_KEYS, *NAMES])}")
    missing = [key for key in [*GLOBAL_KEYS, *NAMES] if key not in config]
    if missing:
        errors.append(f"{', '.join(missing)}: missing from the config (config/config.yaml gives every key)")
    if errors:
        return errors
    figures = config["figures"]
    if isinstance(figures, list) and set(figures) - set(NAMES):
        errors.append(f"figures: {[f for f in figures if f not in NAMES]} are not figures; allowed: all, or a list of {', '.join(NAMES)}")
    for section in [None, *NAMES]:
        validator = _validator(str(Path(root).resolve() / "workflow" / "schemas"), section or "config")
        for error in sorted(validator.iter_errors(config if section is None else config[section]), key=lambda e: list(map(str, e.path))):
            key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
            key = f"{section}{key}" if section else key.lstrip(".") or "config"
            # "not valid under any of the given schemas", "is too short" say nothing of what is allowed: the description does
            allowed = error.schema.get("description") if error.validator in ("oneOf", "anyOf", "minItems", "maxItems") else None
            message = f"{error.message}; allowed: {allowed}" if allowed else error.message
            errors.append(f"{key}: {message} (schema: workflow/schemas/{section or 'config'}.schema.yaml)")
    if errors:
        return errors
    for fig in selected(config):
        try:
            fig.check(config)
        except ConfigError as error:
            errors += error.messages
    return errors


@functools.cache
def _validator(schemas: str, name: str):
    """A JSON-schema validator of ``<schemas>/<name>.schema.yaml``; relative ``$ref`` (e.g. to
    ``common.schema.yaml``) resolve in the same folder."""
    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    def load(uri: str) -> Resource:
        return Resource.from_contents(yaml.safe_load(Path(uri.removeprefix("file://")).read_text()))

    uri = f"file://{schemas}/{name}.schema.yaml"
    schema = load(uri).contents
    return Draft202012Validator({**schema, "$id": uri}, registry=Registry(retrieve=load))
