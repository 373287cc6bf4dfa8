"""Looking inside snapshots: what one holds (``info``), what changed between two (``diff``),
and range-aware questions (``packages_in_range``, ``dependents``) with rez's semantics.

A string match gets ranges wrong (``python-3.7.16+`` does not admit 3.7; ``python-3``
admits 3.7.4): these parse every requirement with rezsnap's rez-faithful version code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rezsnap.version import InvalidRequirement, Requirement, Version, VersionRange

from ._file import Snapshot

__all__ = ["Dependent", "admitted_range", "dependents", "diff", "info", "packages_in_range"]

#: What a package is, for ``diff``: the loaded values and where it lives (not its file times).
COMPARED_FIELDS = ("format", "kind", "path", "requires", "variants", "timestamp", "source", "error")


def info(snapshot: Snapshot) -> dict[str, Any]:
    table = snapshot.table
    meta = snapshot.metadata
    rows = table.select(["family", "uri", "source", "kind", "error"]).to_pylist()
    return {
        "path": snapshot.path,
        "schema_version": meta.schema_version,
        "rezsnap_version": meta.rezsnap_version,
        "created": meta.created,
        "package_paths": list(meta.package_paths),
        "options": meta.options,
        "rows": len(rows),
        "families": len({r["family"] for r in rows}),
        "by_source": dict(sorted(Counter(r["source"] for r in rows).items())),
        "by_kind": dict(sorted(Counter(r["kind"] for r in rows).items())),
        "problems": list(meta.problems),
        "error_rows": [{"uri": r["uri"] or r["family"], "source": r["source"], "error": r["error"]}
                       for r in rows if r["error"] is not None],
    }


def _keyed(snapshot: Snapshot) -> dict[tuple[int, str, str], dict[str, Any]]:
    """Rows by (package path position, family, version): the same package in both files even
    when the paths are spelt differently."""
    position = {repo: i for i, repo in enumerate(snapshot.metadata.package_paths)}
    return {(position.get(r["repo"], -1), r["family"], r["version"]): r for r in snapshot.table.to_pylist()}


def _name(row: dict[str, Any]) -> str:
    return f"{row['family']}-{row['version']}" if row["version"] else row["family"]


def diff(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """Added, removed and changed packages (with the fields that changed, old and new values)."""
    before, after = _keyed(old), _keyed(new)
    changed = []
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        fields = {f: [a[f], b[f]] for f in COMPARED_FIELDS if a[f] != b[f]}
        if fields:
            changed.append({"package": _name(b), "uri": b["uri"], "fields": fields})
    return {
        "added": [{"package": _name(after[k]), "uri": after[k]["uri"]} for k in sorted(after.keys() - before.keys())],
        "removed": [{"package": _name(before[k]), "uri": before[k]["uri"]}
                    for k in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def packages_in_range(snapshot: Snapshot, family: str, range_text: str) -> list[dict[str, Any]]:
    """The packages of ``family`` whose version is in the rez range ``range_text``, in version order."""
    wanted = VersionRange(range_text)
    import pyarrow.compute as pc

    table = snapshot.table
    found = []
    for row in table.filter(pc.equal(table.column("family").cast("string"), family)).to_pylist():
        try:
            version = Version(row["version"])
        except ValueError:
            continue  # a name rez cannot parse is in no range
        if wanted.contains_version(version):
            found.append({"package": _name(row), "version": row["version"], "uri": row["uri"], "source": row["source"]})
    found.sort(key=lambda item: Version(item["version"]))
    return found


@dataclass(frozen=True, slots=True)
class Dependent:
    """A package one of whose requirements matches the question."""

    package: str
    uri: str | None
    where: str  # "requires", or "variant N"
    requirement: str
    weak: bool

    def as_dict(self) -> dict[str, Any]:
        return {"package": self.package, "uri": self.uri, "where": self.where, "requirement": self.requirement,
                "weak": self.weak}


def _requirements(row: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for text in row["requires"] or ():
        yield "requires", text
    for index, variant in enumerate(row["variants"] or ()):
        for text in variant:
            yield f"variant {index}", text


def admitted_range(requirement: Requirement) -> VersionRange | None:
    """The versions a requirement lets into a resolve: its range; a weak one (``~foo-1``, kept
    as a conflict with the inverse range, as rez keeps it) its written range; a conflict
    (``!foo``) None: it requires nothing."""
    if requirement.weak:
        return VersionRange("") if requirement.range is None else requirement.range.inverse()
    if requirement.conflict:
        return None
    return requirement.range


def dependents(snapshot: Snapshot, family: str, *, admits: str | None = None,
               intersects: str | None = None) -> list[Dependent]:
    """Packages whose ``requires`` or ``variants`` name ``family`` with a range that admits the
    version ``admits``, or that intersects the range ``intersects`` (neither: any range).
    Conflict requirements (``!family``) require nothing and are left out; weak ones
    (``~family``) are included and marked."""
    version = None if admits is None else Version(admits)
    wanted = None if intersects is None else VersionRange(intersects)
    found = []
    for row in snapshot.table.to_pylist():
        for where, text in _requirements(row):
            if family not in text:
                continue  # cheap pre-filter; the parsed name decides
            try:
                requirement = Requirement(text)
            except (InvalidRequirement, ValueError):
                continue
            range_ = admitted_range(requirement)
            if requirement.name != family or range_ is None:
                continue
            if version is not None and not range_.contains_version(version):
                continue
            if wanted is not None and range_.intersection(wanted) is None:
                continue
            found.append(Dependent(_name(row), row["uri"], where, text, requirement.weak))
    return found
