"""YAML as MkDocs writes it: the one loader (and dumper) of mkdocs.yml.

An owner's mkdocs.yml carries tags safe YAML refuses (`!!python/name:`, `!ENV`). They are read as
`Tagged` values, never run, so that a load and a dump give them back unchanged; readers that only want
the values take `untagged(...)` of what was loaded.
"""

from __future__ import annotations

from typing import Any

import yaml


class Tagged:
    """A YAML value with a tag MkDocs understands but safe YAML does not (`!!python/name:`, `!ENV`)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class TaggedLoader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return Tagged(node.tag, value)


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


# Every tag safe YAML has no constructor for (the prefix "" matches them all): `!ENV`, `!relative`,
# `!!python/name:`, `!!python/object/apply:` ...
TaggedLoader.add_multi_constructor("", _construct_tagged)
_Dumper.add_representer(Tagged, _represent_tagged)


def load_tagged(text: str) -> Any:
    """The document in `text`, its MkDocs tags kept as `Tagged` values (raises yaml.YAMLError)."""
    return yaml.load(text, Loader=TaggedLoader)


def untagged(value: Any) -> Any:
    """`value` with every `Tagged` replaced by what it holds (`!ENV [X, docs]` -> `["X", "docs"]`)."""
    if isinstance(value, Tagged):
        return untagged(value.value)
    if isinstance(value, list):
        return [untagged(v) for v in value]
    if isinstance(value, dict):
        return {k: untagged(v) for k, v in value.items()}
    return value


def yaml_block(value: Any) -> str:
    text: str = yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )
    return text
