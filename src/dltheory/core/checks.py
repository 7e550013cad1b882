"""The config checks that run before any job (the Snakefile calls :func:`config_errors`).

In order: no NaN or infinity anywhere (a JSON-schema bound cannot catch NaN); exactly one section
per registered figure besides the global keys; ``figures`` names registered figures; the global
keys against ``workflow/schemas/config.schema.yaml`` and each section against its figure's
``schema.yaml`` (in the figure's package); then each selected figure's cross-key
:attr:`~dltheory.core.contract.Figure.check`. Every message names the key, the value and what is allowed.

The schemas are applied with jsonschema, the library under ``snakemake.utils.validate``, directly:
``validate`` stops at the first error and prints the whole schema and section with it, where a
user needs every bad key with its path (``phase_diagram.compute.propagation.width: 'wide' is not
of type 'integer'``), and loading each schema once keeps the checks in milliseconds.
"""

from __future__ import annotations

import functools
from pathlib import Path

from dltheory.core.contract import ConfigError, non_finite
from dltheory.core.registry import names, registry

GLOBAL_KEYS = ("device", "figures", "data")  # the config's keys besides one section per figure


def selected(config: dict) -> list:
    """The registered figures that ``config['figures']`` asks for ("all", or a list), in registry order."""
    return [fig for fig in registry() if config["figures"] == "all" or fig.name in config["figures"]]


def config_errors(config: dict, root: str | Path) -> list[str]:
    """Everything wrong with ``config`` (merged from every config file), as messages; [] if nothing.
    ``root``: the repository, whose ``workflow/schemas/config.schema.yaml`` holds the global keys' schema."""
    figure_names = names()
    errors = non_finite(config)
    unknown = sorted(set(config) - set(GLOBAL_KEYS) - set(figure_names))
    if unknown:
        errors.append(f"{', '.join(unknown)}: unknown config key(s); allowed: {', '.join([*GLOBAL_KEYS, *figure_names])}")
    missing = [key for key in [*GLOBAL_KEYS, *figure_names] if key not in config]
    if missing:
        errors.append(f"{', '.join(missing)}: missing from the config (config/config.yaml gives every key)")
    if errors:
        return errors
    figures = config["figures"]
    if isinstance(figures, list) and set(figures) - set(figure_names):
        errors.append(
            f"figures: {[f for f in figures if f not in figure_names]} are not figures; allowed: all, or a list of {', '.join(figure_names)}"
        )
    schemas = {None: Path(root).resolve() / "workflow/schemas/config.schema.yaml"} | {
        fig.name: fig.folder / "schema.yaml" for fig in registry()
    }
    for section, schema in schemas.items():
        validator = _validator(str(schema))
        shown = Path(schema).relative_to(Path(root).resolve()) if Path(schema).is_relative_to(Path(root).resolve()) else schema
        for error in sorted(validator.iter_errors(config if section is None else config[section]), key=lambda e: list(map(str, e.path))):
            key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
            key = f"{section}{key}" if section else key.lstrip(".") or "config"
            # "not valid under any of the given schemas", "is too short" say nothing of what is allowed: the description does
            allowed = error.schema.get("description") if error.validator in ("oneOf", "anyOf", "minItems", "maxItems") else None
            message = f"{error.message}; allowed: {allowed}" if allowed else error.message
            errors.append(f"{key}: {message} (schema: {shown})")
    if errors:
        return errors
    for fig in selected(config):
        try:
            fig.check(config)
        except ConfigError as error:
            errors += error.messages
    return errors


@functools.cache
def _validator(schema: str):
    """A JSON-schema validator of the YAML file ``schema``; relative ``$ref`` (e.g. to
    ``../common.schema.yaml``) resolve from the schema's folder."""
    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    def load(uri: str) -> Resource:
        return Resource.from_contents(yaml.safe_load(Path(uri.removeprefix("file://")).read_text()))

    uri = Path(schema).resolve().as_uri()
    return Draft202012Validator({**load(uri).contents, "$id": uri}, registry=Registry(retrieve=load))
