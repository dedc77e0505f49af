"""Turn one source (file, bytes or text) into a :class:`~migrate.model.Document`.

This is the reader stage of the pipeline: decode, split off front matter, parse the rST
body, then merge and normalize metadata.  It does no printing and never exits; problems
in the post become diagnostics on the document, and only a post that cannot be read at
all raises :class:`~migrate.errors.SourceError`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .config import Config
from .errors import SourceError
from .model import Diagnostic, Document, SourceInfo, plain_text
from .readers import metadata as metadata_reader
from .readers.rst import parse_rst


def decode(data: bytes, path: str = "", config: Config | None = None) -> tuple[str, list[Diagnostic]]:
    """Bytes to text with LF line endings; BOM and CRLF are handled silently.

    A file that is not text (NUL bytes) or not valid in the configured encoding is an
    error naming the line of the first bad byte, unless a fallback codec is configured.
    """
    config = config or Config()
    diags: list[Diagnostic] = []
    if b"\x00" in data[:8192]:
        raise SourceError("file looks binary (NUL bytes), not a reStructuredText post", path, code="binary")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(config.encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        if not config.encoding_fallback:
            raise SourceError(
                f"not valid {config.encoding} (byte 0x{data[e.start]:02x}); "
                "set encoding or encoding_fallback in migrate.toml",
                path,
                line,
                code="encoding",
            ) from e
        text = data.decode(config.encoding_fallback, errors="replace")
        diags.append(
            Diagnostic(
                "warning",
                "encoding-fallback",
                f"not valid {config.encoding}; decoded as {config.encoding_fallback}",
                path,
                line,
            )
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), diags


def read(
    source: str | bytes | Path,
    *,
    path: str | None = None,
    config: Config | None = None,
) -> Document:
    """Read a post.  ``source`` is a :class:`~pathlib.Path` (or an existing file name), bytes,
    or rST text; ``path`` names the post in diagnostics and drives file-name metadata."""
    config = config or Config()
    file_path: Path | None = None
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and len(source) < 4096 and Path(source).is_file()
    ):
        file_path = Path(source)
        try:
            data = file_path.read_bytes()
        except OSError as e:
            raise SourceError(f"cannot read: {e.strerror}", str(file_path), code="io") from e
        path = path or str(file_path)
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.encode("utf-8")
    path = path or "<string>"
    text, diags = decode(data, path, config)
    return read_text(text, path=path, file_path=file_path, config=config, sha256=_sha(data), diags=diags)


def read_text(
    text: str,
    *,
    path: str = "<string>",
    file_path: Path | None = None,
    config: Config | None = None,
    sha256: str = "",
    diags: list[Diagnostic] | None = None,
) -> Document:
    """Read already-decoded text; ``file_path`` (when given) is used to find a ``.meta`` sidecar."""
    config = config or Config()
    diags = list(diags or [])
    front = metadata_reader.split_front_matter(text, path)
    sidecar = metadata_reader.read_sidecar(file_path) if file_path is not None else None
    has_title = bool(front.raw.get("title")) or (sidecar is not None and bool(sidecar.raw.get("title")))
    rst = parse_rst(front.body, path, config, doctitle=not has_title)
    if rst.title and any("title" in hit.fields for hit in rst.meta):
        # The title comes from a metadata directive: the promoted section is body content.
        rst = parse_rst(front.body, path, config, doctitle=False)
    meta, dialect, meta_diags = metadata_reader.build_metadata(
        path=path,
        front=front,
        sidecar=sidecar,
        hits=rst.meta,
        title=plain_text(rst.title),
        blocks=rst.blocks,
        config=config,
    )
    if rst.subtitle and "subtitle" not in meta.extra:
        meta = _with_extra(meta, "subtitle", plain_text(rst.subtitle))
    diags.extend(rst.diagnostics)
    diags.extend(meta_diags)
    return Document(
        meta=meta,
        blocks=rst.blocks,
        source=SourceInfo(path=path, dialect=dialect, sha256=sha256 or _sha(text.encode("utf-8"))),
        diagnostics=tuple(diags),
    )


def _with_extra(meta, key, value):
    from dataclasses import replace

    return replace(meta, extra={**meta.extra, key: value})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
