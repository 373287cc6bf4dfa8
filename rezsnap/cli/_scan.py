"""``rezsnap scan``: every package of package paths, as rez lists them."""

from __future__ import annotations

import os
import time
from argparse import Namespace
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from rezsnap._compiled import compiled_module
from rezsnap.model import PackageKind, ScannedPackage
from rezsnap.scanner import ListedFamily, scan_rendered, scan_repo
from rezsnap.scanner._families import NO_VERSION

from ._common import EXIT_FAILED, EXIT_OK, problem_text, show_progress, source_paths

try:  # json.encoder's own encoder, without importing the json package (its decoder's patterns)
    from _json import encode_basestring_ascii
except ImportError:  # another Python: json.encoder's twin
    from json.encoder import encode_basestring_ascii

__all__ = ["json_lines", "json_texts", "scan_command"]


def _json_lines(packages: Iterable[ScannedPackage]) -> Iterator[str]:
    """``json.dumps`` of each package's record, and a newline, built from json's own string
    encoder: an encoder run per package would cost more than the walk. What the packages of
    one family share (family, format, repo, kind) is encoded once, into the text around
    the version and the path."""
    encode = encode_basestring_ascii
    shared: tuple[object, ...] = ()
    head = middle = tail = ""
    for package in packages:
        family, version, fmt, path, repo, kind = package[:6]
        if shared != (family, fmt, repo, kind):
            shared = (family, fmt, repo, kind)
            head = f'{{"family": {encode(family)}, "version": '
            middle = f', "format": {"null" if fmt is None else encode(fmt)}, "path": '
            tail = f', "repo": {encode(repo)}, "kind": {encode(kind.value)}, "uri": '
        path_text = "null" if path is None else encode(path)
        uri_text = encode(f"{path}<{version}>") if kind is PackageKind.COMBINED else path_text
        yield f"{head}{encode(version)}{middle}{path_text}{tail}{uri_text}}}\n"


def json_lines(packages: Iterable[ScannedPackage]) -> str:
    """The JSON lines of packages: ``json.dumps`` of each record, one per line."""
    return "".join(_json_lines(packages))


#: ``_cjson.directory_lines``: a family directory's lines written in C (the twin of ``_json_lines``)
_directory_lines = getattr(compiled_module("rezsnap.cli._cjson"), "directory_lines", None)


def json_texts(families: list[ListedFamily]) -> list[str]:
    """The JSON lines of a batch of listed families, a text per family (``scan_rendered``
    renders them where the walk runs), as ``json_lines`` writes their packages; a family
    directory's rows are written by the compiled twin where it is built, without a record
    per package."""
    compiled = _directory_lines
    if compiled is None:
        return [json_lines(family.packages()) for family in families]
    encode, directory, texts = encode_basestring_ascii, PackageKind.DIRECTORY, []
    suffix = f"{os.sep}package."
    for family in families:
        ref = family.ref
        if family.kind is directory:
            head = f'{{"family": {encode(ref.name)}, "version": '
            tail = f', "repo": {encode(ref.repo)}, "kind": "{directory.value}", "uri": '
            texts.append(compiled(head, tail, ref.path + os.sep, suffix, family.rows, NO_VERSION, encode))
        else:
            texts.append(json_lines(family.packages()))
    return texts


def _print_table(packages: Sequence[ScannedPackage], out: TextIO) -> None:
    width_family = max((len(p.family) for p in packages), default=6)
    width_version = max((len(p.version) for p in packages), default=7)
    out.write(f"{'FAMILY':<{width_family}}  {'VERSION':<{width_version}}  FORMAT  PATH\n")
    out.writelines(f"{p.family:<{width_family}}  {p.version:<{width_version}}  "
                  f"{p.format or '-':<6}  {p.path or '-'}\n" for p in packages)


def scan_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    paths = source_paths(args)
    start = time.perf_counter()
    progress = show_progress(args.progress, err)
    if args.json:
        rendered = scan_rendered(paths, json_texts, workers=args.threads, progress=progress)
        seconds = time.perf_counter() - start
        count, families, problems = rendered.packages, rendered.families, rendered.problems
        out.writelines(rendered.texts)
        if problems:
            import json  # only here: a clean scan does not import the json package

            err.writelines(json.dumps({"problem": problem.code, "path": problem.path, "message": problem.message,
                                       "family": problem.family}) + "\n" for problem in problems)
    else:
        result = scan_repo(paths, workers=args.threads, progress=progress)
        seconds = time.perf_counter() - start
        count, families, problems = len(result), len({(p.repo, p.family) for p in result}), result.problems
        _print_table(result, out)
        err.writelines(problem_text(problem) + "\n" for problem in problems)
    err.write(f"rezsnap scan: {count} packages in {families} families, "
              f"{len(problems)} problems, {seconds * 1e3:.1f} ms\n")
    return EXIT_FAILED if args.strict and problems else EXIT_OK
