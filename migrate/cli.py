"""The command line: the only layer that prints or exits.

Exit codes: 0 success (warnings allowed), 1 at least one post failed (or ``--fail-on``
matched, or ``--check`` found outputs that would change), 2 usage or configuration error.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from . import __version__
from .config import Config
from .emitters import registry
from .emitters.base import EmitContext
from .errors import MigrateError
from .executors import make_executor
from .model import Document, Heading, plain_text, walk
from .pipeline import Job, convert, discover_sources
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
    "--from",
    "source_format",
    type=click.Choice(["rst", "json"]),
    default="rst",
    show_default=True,
    help="Read rST posts, or documents in migrate's JSON (as written by --to json).",
)
@click.option(
    "--out", "out", type=click.Path(file_okay=False), help="Output directory (required unless SRC is -)."
)
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file (migrate.toml)."
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes [default: all cores]."
)
@click.option(
    "--executor",
    type=click.Choice(["process", "inline", "dask"]),
    default="process",
    show_default=True,
    help="Where the per-file work runs (dask needs migrate[dask]).",
)
@click.option("--scheduler", help="dask.distributed scheduler address (default: a local cluster).")
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False),
    help="Cache directory [default: OUT/.migrate/cache].",
)
@click.option("--no-cache", is_flag=True, help="Convert everything and keep no cache.")
@click.option("--force", is_flag=True, help="Ignore the cache; overwrite files migrate did not write.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any output would change.")
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would be converted and written.")
@click.option("--verify", is_flag=True, help="Re-read every output and report anything lost.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print a line per file.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write a JSON report here.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "broken-links", "loss"]),
    multiple=True,
    default=("error",),
    show_default=True,
    help="What makes the exit code 1 (repeatable).",
)
@click.option("--flavor", type=click.Choice(["gfm", "commonmark"]), help="Markdown flavour.")
@click.option("--link-style", type=click.Choice(["inline", "reference"]), help="Markdown link style.")
@click.option("--front-matter", type=click.Choice(["yaml", "toml", "json"]), help="Front matter format.")
@click.option("--heading-shift", type=int, help="Added to section levels (default 1: sections start at ##).")
@click.option(
    "--hugo-links", type=click.Choice(["ref", "url"]), help="Hugo internal links: ref shortcodes or URLs."
)
@click.option("--jekyll-links", type=click.Choice(["post_url", "url"]), help="Jekyll internal links.")
@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True),
    help="HTML: templates overriding the shipped ones.",
)
@click.option(
    "--standalone-page", is_flag=True, help="HTML: one self-contained page per post, no site files."
)
@click.option("--follow-symlinks", is_flag=True, help="Follow symlinks that leave the source tree.")
@click.option(
    "--option", "-O", "extra_options", multiple=True, metavar="KEY=VALUE", help="Emitter option (repeatable)."
)
def convert_cmd(
    sources,
    target,
    source_format,
    out,
    config_path,
    jobs,
    executor,
    scheduler,
    cache_dir,
    no_cache,
    force,
    check,
    dry_run,
    verify,
    quiet,
    verbose,
    report_path,
    fail_on,
    flavor,
    link_style,
    front_matter,
    heading_shift,
    hugo_links,
    jekyll_links,
    templates,
    standalone_page,
    follow_symlinks,
    extra_options,
) -> None:
    """Convert posts (files or directories, recursively; - reads stdin and writes stdout)."""
    try:
        config = _config(config_path, sources)
        if hugo_links:
            config = dataclasses.replace(config, hugo_links=hugo_links)
        if jekyll_links:
            config = dataclasses.replace(config, jekyll_links=jekyll_links)
        emitter = registry.get(target)
        options = _options(extra_options)
    except MigrateError as e:
        _fail(str(e))
    for key, value in (
        ("flavor", flavor),
        ("link_style", link_style),
        ("front_matter", front_matter),
        ("heading_shift", heading_shift),
        ("templates", templates),
    ):
        if value is not None:
            options[key] = value
    if standalone_page:
        options["standalone_page"] = True
    if sources == ("-",):
        _convert_stdin(emitter, config, options, source_format)
        return
    if "-" in sources:
        _fail("- (stdin) cannot be mixed with other sources")
    if not out:
        _fail("--out DIR is required when converting files")
    for s in sources:
        if not Path(s).exists():
            _fail(f"{s}: no such file or directory")
    out_dir = Path(out)
    paths = discover_sources(
        sources,
        exclude=[out_dir],
        follow_symlinks=follow_symlinks,
        suffixes=(".json",) if source_format == "json" else None,
    )
    roots = [Path(s) for s in sources if Path(s).is_dir()]
    job = Job(
        sources=paths,
        target=target,
        out=out_dir,
        config=config,
        options=options,
        roots=roots,
        source_format=source_format,
        cache_dir=Path(cache_dir) if cache_dir else None,
        use_cache=not no_cache,
        force=force,
        check=check,
        dry_run=dry_run,
        verify=verify or "loss" in fail_on,
    )
    bar = _Progress(enabled=not quiet and not verbose and sys.stderr.isatty())
    try:
        with make_executor(executor, jobs or None, scheduler) as ex:
            report = convert(job, executor=ex, progress=bar)
    except MigrateError as e:
        _fail(str(e))
    finally:
        bar.close()
    _print_report(report, quiet=quiet, verbose=verbose, check=check, dry_run=dry_run, out_dir=out_dir)
    if report_path:
        with open(report_path, "w", encoding="utf-8") as fh:
            report.write_json(fh)
    sys.exit(report.exit_code(tuple(fail_on), check=check))


def _options(pairs: tuple[str, ...]) -> dict:
    """``-O key=value`` pairs; values read as JSON when they parse (numbers, true/false), else text."""
    options: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise MigrateError(f"--option expects KEY=VALUE, got {pair!r}", code="usage")
        try:
            options[key.replace("-", "_")] = json.loads(value)
        except ValueError:
            options[key.replace("-", "_")] = value
    return options


class _Progress:
    """A progress bar per pass on a terminal; nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.stage = ""
        self.bar = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=total, label=f"{stage:5}", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _print_report(report, *, quiet: bool, verbose: bool, check: bool, dry_run: bool, out_dir: Path) -> None:
    """Diagnostics, then (unless quiet) the plan or the per-file lines, then a summary table."""
    for r in [*report.results, *([report.site_outputs] if report.site_outputs else [])]:
        for d in r.diagnostics:
            if d.severity == "error" or (not quiet and d.severity == "warning"):
                click.echo(str(d), err=True)
        if verbose:
            state = "cached" if r.cached else r.status
            click.echo(f"{state:7} {r.source} -> {', '.join(r.outputs) or '-'}")
    for note in report.notes:
        if not quiet:
            click.echo(f"note: {note}", err=True)
    if check or dry_run:
        verb = "would " if dry_run or check else ""
        for c in report.pending_changes:
            click.echo(f"{verb}{c.action} {out_dir / c.path}")
        if dry_run and not quiet:
            for r in report.results:
                click.echo(f"{'skip' if r.cached else 'convert'} {r.source}")
    if quiet:
        return
    t = report.totals()
    rows = [
        ("posts", t["files"]),
        ("ok", t["ok"]),
        ("with warnings", t["warning"]),
        ("failed", t["error"]),
        ("unchanged (cached)", t["cached"]),
        ("files created", t["create"]),
        ("files updated", t["update"]),
        ("files deleted", t["delete"]),
        ("broken links", t["broken_links"]),
    ]
    if any(d.code == "loss" for d in report.diagnostics) or t["losses"]:
        rows.append(("losses", t["losses"]))
    width = max(len(k) for k, _ in rows)
    mode = " (check: nothing written)" if check else " (dry run: nothing written)" if dry_run else ""
    click.echo(f"migrate {report.target} -> {out_dir}{mode} in {report.seconds:.2f}s", err=True)
    for k, v in rows:
        click.echo(f"  {k:<{width}}  {v:>6}", err=True)


def _convert_stdin(emitter, config: Config, options: dict, source_format: str) -> None:
    data = click.get_binary_stream("stdin").read()
    try:
        if source_format == "json":
            try:
                doc = Document.from_json(data.decode("utf-8"))
            except (ValueError, KeyError, TypeError) as e:
                raise MigrateError(f"<stdin>: not a migrate JSON document: {e}", code="bad-json") from e
        else:
            doc = read(data, path="<stdin>", config=config)
        ctx = EmitContext(config=config, options=options)
        text = emitter.emit(doc, ctx)
    except MigrateError as e:
        _fail(str(e), EXIT_FAILED)
    for d in (*doc.diagnostics, *ctx.diagnostics):
        if d.severity != "info":
            click.echo(str(d), err=True)
    if isinstance(text, bytes):
        click.get_binary_stream("stdout").write(text)
    else:
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
    paths = discover_sources(sources)
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
            "links": [x._asdict() for x in rows],
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
