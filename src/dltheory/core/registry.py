"""The registry: every figure of the canon, found by discovery.

A figure is a sub-package of :mod:`dltheory.figures` whose ``__init__.py`` holds a
:class:`~dltheory.core.contract.Figure` as ``FIGURE``; adding the package registers it, and
everything that lists figures (the config checks, the generated rules, ``figures/all``, the
scorecard, the report, the gallery, the workflow tests) takes the list from here, in the order of
:attr:`~dltheory.core.contract.Figure.order`. Only the packages' ``__init__.py`` are imported
(declarations: no science, no torch), so listing the figures costs milliseconds.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

PACKAGE = "dltheory.figures"


@functools.cache
def registry() -> tuple:
    """Every registered :class:`~dltheory.core.contract.Figure`, in order."""
    package = importlib.import_module(PACKAGE)
    figures = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg:
            fig = getattr(importlib.import_module(f"{PACKAGE}.{info.name}"), "FIGURE", None)
            if fig is None:
                raise ImportError(f"{PACKAGE}.{info.name} holds no FIGURE: a figure package declares one (docs/adding-a-figure.md)")
            if fig.name != info.name:
                raise ImportError(f"{PACKAGE}.{info.name}: FIGURE.name is {fig.name!r}; it must be the package's name")
            figures.append(fig)
    orders = [fig.order for fig in figures]
    if len(set(orders)) != len(orders):
        raise ImportError(f"two figures share an order: {sorted((f.order, f.name) for f in figures)}")
    return tuple(sorted(figures, key=lambda fig: fig.order))


def names() -> tuple[str, ...]:
    """The registered figures' names, in order."""
    return tuple(fig.name for fig in registry())


def figure(name: str):
    """The :class:`~dltheory.core.contract.Figure` of one registered figure."""
    for fig in registry():
        if fig.name == name:
            return fig
    raise KeyError(f"no figure {name!r}; registered: {', '.join(names())}")
