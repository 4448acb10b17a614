"""Text the site is written in: the Jinja templates, and YAML that keeps MkDocs' own tags.

Both mkdocs.yml (`site.py`) and the generated pages (`sitenav.py`) are rendered from templates, so the
environment sits below both and neither has to import the other. The YAML loader and dumper stay
together because an owner's tagged values (`!!python/name:`, `!ENV`) must survive a load and a dump
unchanged.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import Any
from urllib.parse import quote

import jinja2
import yaml

from ..core.bundled import bundled
from ..core.errors import SiteError
from ..security.sanitize import escape_html, escape_markdown_inline

# ---------------------------------------------------------------- templates


@functools.cache
def _templates() -> jinja2.Environment:
    root: Any
    try:
        root = importlib.resources.files("consolidator.templates")
    except ModuleNotFoundError:
        # running from a source tree whose `consolidator` shadows the installed package
        root = bundled("templates")

    def load(name: str) -> str:
        try:
            text: str = root.joinpath(*name.split("/")).read_text(encoding="utf-8")
        except OSError as exc:
            raise SiteError(f"the site template {name} is missing from the installation: {exc}") from exc
        return text

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown output: every value is escaped explicitly with `md` or `html`
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda v: escape_markdown_inline(str(v))
    env.filters["html"] = lambda v: escape_html(str(v))
    env.filters["url"] = lambda v: quote(str(v), safe="/#.-_~")
    env.filters["yaml"] = yaml_block
    env.filters["path"] = _breakable_path
    return env


def _breakable_path(value: Any) -> str:
    """A path in a table cell that may wrap after `/`, `_` and `-`: long paths do not widen the page."""
    escaped = escape_markdown_inline(str(value)).replace("|", "\\|")
    return re.sub(r"(?<=[/_-])(?=[^/_-])", "<wbr>", escaped)


def render(template: str, **values: Any) -> str:
    try:
        return _templates().get_template(template).render(**values)
    except jinja2.TemplateError as exc:
        raise SiteError(f"template {template}: {exc}") from exc


# ---------------------------------------------------------------- YAML with MkDocs tags


class _Tagged:
    """A YAML value with a tag MkDocs understands but safe YAML does not (`!!python/name:`, `!ENV`)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class TaggedLoader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return _Tagged(node.tag, value)


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


TaggedLoader.add_multi_constructor("!", _construct_tagged)
TaggedLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_Dumper.add_representer(_Tagged, _represent_tagged)


def yaml_block(value: Any) -> str:
    text: str = yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )
    return text
