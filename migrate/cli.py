"""The command line: the only layer that prints or exits.

Exit codes: 0 success (warnings allowed), 1 at least one post failed (or ``--fail-on``
matched), 2 usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .config import Config
from .emitters import registry
from .emitters.base import EmitContext
from .errors import MigrateError
from .model import Heading, plain_text, walk
from .pipeline import Job, convert, discover
from .reading import read
from .report import EXIT_FAILED, EXIT_USAGE

CONFIG_NAME = "migrate.toml"


def _config(path: str | None, sources: tuple[str, ...]) -> Config:
    """``--config`` if given, else ``migrate.toml`` in the working directory or a source directory."""
    if path:
        return Config.from_file(path)
    for d in [Path.cwd(), *(Path(s) for s in sources if s != "-")]:
        candidate = d / CONFIG_NAME if d.is_dir() else d.parent / CONFIG_NAME
        if candidate.is_file():
            return Config.from_file(candidate)
    return Config()


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"migrate: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrate")
def main() -> None:
    """Move legacy reStructuredText blog posts to new platforms without losing a word, a link or a date."""


@main.command("convert")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--to", "target", default="json", show_default=True, help="Target format (see `migrate emitters`)."
)
@click.option(
    "--out", "out", type=click.Path(file_okay=False), help="Output directory (required unless SRC is -)."
)
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file (migrate.toml)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print a line per file.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write a JSON report here.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "broken-links"]),
    multiple=True,
    default=("error",),
    show_default=True,
    help="What makes the exit code 1.",
)
def convert_cmd(sources, target, out, config_path, quiet, verbose, report_path, fail_on) -> None:
    """Convert posts (files or directories, recursively; - reads stdin and writes stdout)."""
    try:
        config = _config(config_path, sources)
        emitter = registry.get(target)
    except MigrateError as e:
        _fail(str(e))
    if sources == ("-",):
        _convert_stdin(emitter, config)
        return
    if "-" in sources:
        _fail("- (stdin) cannot be mixed with other sources")
    if not out:
        _fail("--out DIR is required when converting files")
    for s in sources:
        if not Path(s).exists():
            _fail(f"{s}: no such file or directory")
    out_dir = Path(out)
    paths = discover(sources, exclude=[out_dir])
    roots = [Path(s) for s in sources if Path(s).is_dir()]
    report = convert(Job(sources=paths, target=target, out=out_dir, config=config, roots=roots))
    for r in report.results:
        for d in r.diagnostics:
            if d.severity == "error" or (not quiet and d.severity == "warning"):
                click.echo(str(d), err=True)
        if verbose:
            click.echo(f"{r.status:7} {r.source} -> {', '.join(r.outputs) or '-'}")
    if report_path:
        Path(report_path).write_text(report.to_json(), encoding="utf-8")
    t = report.totals()
    if not quiet:
        click.echo(
            f"{t['files']} posts: {t['ok']} ok, {t['warning']} with warnings, {t['error']} failed; "
            f"{t['outputs']} files in {out_dir}",
            err=True,
        )
    sys.exit(report.exit_code(tuple(fail_on)))


def _convert_stdin(emitter, config: Config) -> None:
    data = click.get_binary_stream("stdin").read()
    try:
        doc = read(data, path="<stdin>", config=config)
        ctx = EmitContext(config=config)
        text = emitter.emit(doc, ctx)
    except MigrateError as e:
        _fail(str(e), EXIT_FAILED)
    for d in (*doc.diagnostics, *ctx.diagnostics):
        if d.severity != "info":
            click.echo(str(d), err=True)
    click.echo(text, nl=False)
    sys.exit(EXIT_FAILED if any(d.severity == "error" for d in doc.diagnostics) else 0)


@main.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def inspect_cmd(file, config_path, as_json) -> None:
    """Show the detected dialect, normalized metadata, outline and warnings of one post."""
    try:
        config = _config(config_path, (file,))
        doc = read(Path(file), config=config)
    except MigrateError as e:
        _fail(str(e), EXIT_FAILED)
    from .model import to_data

    meta = to_data(doc.meta)
    meta.pop("t")
    outline = [
        {"level": n.level, "title": plain_text(n.content), "id": n.id}
        for n in walk(doc.blocks)
        if isinstance(n, Heading)
    ]
    diags = [str(d) for d in doc.diagnostics]
    if as_json:
        data = {
            "source": doc.source.path,
            "dialect": doc.source.dialect,
            "metadata": meta,
            "outline": outline,
        }
        data["diagnostics"] = [to_data(d) for d in doc.diagnostics]
        click.echo(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        click.echo(f"{doc.source.path}\n  dialect: {doc.source.dialect}")
        for k, v in meta.items():
            if v not in ("", None, [], {}, False):
                click.echo(f"  {k}: {v}")
        click.echo("outline:")
        for h in outline:
            click.echo(f"  {'  ' * (h['level'] - 1)}{h['title']}  #{h['id']}")
        if diags:
            click.echo("diagnostics:")
            for d in diags:
                click.echo(f"  {d}")
    sys.exit(EXIT_FAILED if any(d.severity == "error" for d in doc.diagnostics) else 0)


@main.command("links")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--to", "target", default="hugo", show_default=True, help="Link style of this target.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--all", "show_all", is_flag=True, help="Also list external links and anchors.")
@click.option("--fail-on", type=click.Choice(["broken-links"]), help="Exit 1 when a link is broken.")
def links_cmd(sources, target, config_path, as_json, show_all, fail_on) -> None:
    """Report what every internal link resolves to, or why not; writes nothing."""
    try:
        config = _config(config_path, sources)
    except MigrateError as e:
        _fail(str(e))
    paths = discover(sources)
    roots = [Path(s) for s in sources if Path(s).is_dir()]
    report = convert(
        Job(sources=paths, target="json", out=None, config=config, roots=roots, link_style=target)
    )
    rows = []
    for r in report.results:
        for rec in r.links:
            if show_all or rec.status in ("resolved", "broken", "asset"):
                rows.append(rec)
    broken = [x for x in rows if x.status == "broken"]
    if as_json:
        data = {
            "links": [x.__dict__ for x in rows],
            "totals": {"links": len(rows), "broken": len(broken)},
            "errors": [str(d) for d in report.diagnostics if d.severity == "error"],
        }
        click.echo(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        current = None
        for x in rows:
            if x.source != current:
                current = x.source
                click.echo(current)
            where = f"{x.line:>5}" if x.line else "    ?"
            result = f"-> {x.new}" if x.status != "broken" else f"BROKEN: {x.reason}"
            click.echo(f"  {where}  {x.target}  {result}")
        click.echo(f"{len(rows)} internal links, {len(broken)} broken", err=True)
    sys.exit(EXIT_FAILED if fail_on and broken else 0)


@main.command("init")
@click.argument("path", default=CONFIG_NAME, type=click.Path(dir_okay=False))
def init_cmd(path) -> None:
    """Write a commented migrate.toml with every key and its default."""
    from .docs import config_template

    p = Path(path)
    if p.exists():
        _fail(f"{p} exists; not overwriting it", EXIT_FAILED)
    p.write_text(config_template(), encoding="utf-8")
    click.echo(f"wrote {p}")


@main.command("emitters")
def emitters_cmd() -> None:
    """List the installed output targets."""
    for name, desc in registry.describe().items():
        click.echo(f"{name:10} {desc}")


if __name__ == "__main__":  # pragma: no cover
    main()
