"""An example migrate reader plugin (used by the tests; a template for real ones).

It teaches the rST reader two things real posts use and docutils does not know:

* Nikola's ``.. chart:: Bar`` directive (pygal charts: options and data lines) becomes an
  ``Embed(kind="chart")`` whose ``attrs`` keep the options and the data;
* sphinx-issues' ``:issue:`42``` role becomes a link to the issue tracker; ``:pr:`` too.

Installed, it is found through the ``migrate.directives`` entry-point group
(``pyproject.toml``); nothing has to be imported or configured.
"""

from __future__ import annotations

from docutils.parsers.rst import Directive

from migrate.model import Embed, Link, Text
from migrate.readers.directives import AnyOptions, ReaderRegistry, migrate_node

#: Where ``:issue:`N``` and ``:pr:`N``` point (sphinx-issues' ``issues_github_path``).
GITHUB = "https://github.com/sunpy/ablog"


class ChartDirective(Directive):
    """``.. chart:: Bar`` with any pygal option (``:title:``, ``:style:``...) and data lines."""

    required_arguments = 1
    has_content = True
    option_spec = AnyOptions()  # accept (and keep) every option

    def run(self):
        attrs = {k: str(v) for k, v in self.options.items()}
        attrs["data"] = "\n".join(line.strip() for line in self.content if line.strip())
        return [migrate_node(Embed(kind="chart", id=self.arguments[0], attrs=attrs))]


def tracker_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    number = text.strip().lstrip("#")
    kind = "pull" if name == "pr" else "issues"
    link = Link(content=(Text(f"#{number}"),), target=f"{GITHUB}/{kind}/{number}", kind="url")
    return [migrate_node(link)], []


def register(registry: ReaderRegistry) -> None:
    registry.directive("chart", ChartDirective)
    registry.role("issue", tracker_role)
    registry.role("pr", tracker_role)
