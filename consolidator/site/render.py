"""Text the site is written in: the Jinja templates.

Both mkdocs.yml (`build.py`) and the generated pages (`nav.py`) are rendered from templates, so the
environment sits below both and neither has to import the other. YAML values are written with
`core.mkdocs_yaml.yaml_block`, the dumper that keeps an owner's MkDocs tags.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import Any
from urllib.parse import quote

import jinja2

from ..core.bundled import bundled
from ..core.errors import SiteError
from ..core.mkdocs_yaml import yaml_block
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
    # Generated links are paths, never fragments: `#`, `?`, `%` and spaces in a file name are
    # encoded like any other character that is not a path separator.
    env.filters["url"] = lambda v: quote(str(v), safe="/")
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
