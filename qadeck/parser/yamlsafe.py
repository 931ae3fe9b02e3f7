"""YAML as the notes hold it (info blocks, front matter, tag lists), read safely in one way.

The safe loader, plus: a date YAML cannot make (`2025-13-45`) stays text, and every way a block
can fail to load (a broken document, a value its explicit tag cannot make, deep nesting) is one
family of exceptions the readers turn into a warning.
"""

from __future__ import annotations

from typing import Any

import yaml

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
NODES = 10_000  # values in one block, each alias counted where it is used (an alias bomb stops here)
DEPTH = 50


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, except that a date YAML cannot make (`2025-13-45`) stays text."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:  # month 13, hour 25: written as a date, but none
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# What loading a block can raise: ValueError for a value its explicit tag cannot make (`!!int abc`).
YAML_ERRORS = (yaml.YAMLError, ValueError, OverflowError, RecursionError)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)


def bounded(data: Any) -> bool:
    """Whether the loaded values stay within NODES and DEPTH, walked without recursion."""
    todo: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while todo:
        value, depth = todo.pop()
        seen += 1
        if seen > NODES or depth > DEPTH:
            return False
        if isinstance(value, dict):
            todo.extend((v, depth + 1) for pair in value.items() for v in pair)
        elif isinstance(value, (list, tuple, set)):
            todo.extend((v, depth + 1) for v in value)
    return True
