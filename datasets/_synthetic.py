"""A deterministic generator of realistic studio repositories, at any scale.

What a studio repository looks like, and what it exercises in rez and rezsnap:

- skewed family sizes (a few families with hundreds of versions, most with a handful);
- version schemes ``1.2.3``, ``2024.1``, ``1.0.m3`` and ``-rc`` tags;
- requirements written with every range syntax, some weak (``~``), conflict (``!``) and
  ephemeral (``.name``), pointing down a layered dependency graph (libraries, tools,
  DCC plugins), so that requests solve;
- variants on platform, python and DCC axes;
- about 7% dynamic ``package.py`` files (``@early``, ``@late``, imports, ``if``), some
  ``package.yaml``, combined single-file families, unversioned packages, and
  ``.ignore`` / ``.building`` markers that hide versions.

The same ``(packages, seed)`` writes the same tree, byte for byte. The generator keeps a
model of what rez will load from every file (dynamic ones included), which picks the
sample requests: ``requests`` solve, ``failing_requests`` do not (checked by rezsnap's
solver over the model; the tests check a sample against rez itself).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rezsnap.parser import normalise_request

from rezsnap.model import PackageData
from rezsnap.version import Requirement, Version

from ._cache import cache_dir

__all__ = ["SMALLEST_STUDIO", "SyntheticStudio", "synthetic_studio", "synthetic_studio_cached"]

#: Share of version files written as dynamic package.py / package.yaml.
DYNAMIC_SHARE = 0.07
YAML_SHARE = 0.05
_EPOCH = 1_600_000_000

_WORDS_A = ("alembic", "usd", "exr", "ocio", "tbb", "boost", "qt", "pyside", "numpy", "scipy",
            "openvdb", "ptex", "embree", "oiio", "materialx", "osl", "arnold", "redshift",
            "vray", "yeti", "ziva", "golaem", "shotgrid", "ftrack", "deadline", "tractor",
            "cortex", "gaffer", "katana", "mari", "substance", "zbrush", "blender", "unreal",
            "opencv", "ffmpeg", "imath", "glew", "glfw", "eigen", "pybind", "cython", "lz4",
            "zlib", "hdf5", "fbx", "gltf", "draco", "jpeg", "png", "tiff", "webp", "libraw")
_WORDS_B = ("core", "utils", "tools", "io", "render", "pipeline", "publish", "review",
            "farm", "cache", "lookdev", "rig", "anim", "fx", "comp", "layout", "light",
            "groom", "cloth", "crowd", "env", "asset", "shot", "edit", "color", "qc", "sync",
            "launcher", "config", "schema", "api", "ui", "cli", "bridge", "plugin", "nodes")

# name, versions, axis: the families every studio has; variants are built on them.
_BASE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("platform", ("linux", "osx", "windows")),
    ("arch", ("x86_64",)),
    ("os", ("Rocky-8.8", "Rocky-9.2")),
    ("python", ("2.7.18", "3.7.16", "3.9.18", "3.10.13", "3.11.6")),
    ("gcc", ("9.3.1", "11.2.0", "11.4.1")),
    ("maya", ("2022.5", "2023.3", "2024.2", "2025.1")),
    ("houdini", ("19.5.805", "20.0.547", "20.5.278")),
    ("nuke", ("14.0.5", "14.1.2", "15.0.1")),
)
_DCCS = ("maya", "houdini", "nuke")
#: The fewest package versions ``synthetic_studio`` writes: the base families and some more.
SMALLEST_STUDIO = len(_BASE) * 5
_PYTHONS = ("3.7.16", "3.9.18", "3.10.13", "3.11.6")


@dataclass(frozen=True)
class SyntheticStudio:
    """A generated repository: its package path, what rez will list, and sample requests."""

    path: Path
    packages: tuple[PackageData, ...] = field(repr=False)
    requests: list[list[str]] = field(repr=False)
    failing_requests: list[list[str]] = field(repr=False)
    seed: int = 0

    @property
    def families(self) -> int:
        return len({p.name for p in self.packages})


@dataclass
class _Family:
    name: str
    layer: int  # 0: base; 1: libraries; 2: tools; 3: DCC plugins
    versions: list[str]  # ascending, as rez orders them
    layout: str = "dirs"  # "dirs", "combined" or "unversioned"
    dcc: str | None = None  # the DCC of a plugin family


@dataclass
class _Package:
    family: _Family
    version: str
    requires: list[str]
    variants: list[list[str]]
    timestamp: int
    style: str = "static"  # static, yaml, early, late, import, if


def synthetic_studio(
    path: str | os.PathLike[str],
    *,
    packages: int = 2_000,
    families: int | None = None,
    seed: int = 0,
    requests: int = 40,
    failing: int = 8,
) -> SyntheticStudio:
    """Write a studio repository of ``packages`` package versions (as rez lists them) under
    ``path`` (created; must not exist or be empty), and return it with sample requests.

    ``families`` defaults to one per 20 versions (skewed sizes around that mean).
    """
    if packages < SMALLEST_STUDIO:
        raise ValueError(f"packages must be at least {SMALLEST_STUDIO}, not {packages}")
    root = Path(path)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"not empty: {root}")
    rng = random.Random(seed)
    model = _plan(rng, packages, families or max(10, packages // 20))
    root.mkdir(parents=True, exist_ok=True)
    for family, members in model:
        _write_family(root, family, members, rng)
    data = tuple(_package_data(p) for _, members in model for p in members)
    solved, failed = _sample_requests(rng, [f for f, _ in model], data, requests, failing)
    return SyntheticStudio(root, data, solved, failed, seed)


def synthetic_studio_cached(packages: int, seed: int = 0, cache: str | os.PathLike[str] | None = None
                            ) -> SyntheticStudio:
    """``synthetic_studio`` generated once into the cache directory, then reused.

    The tree, its model and its requests are written into a scratch directory and renamed
    into place, so an interrupted generation is never mistaken for a finished one.
    """
    base = Path(cache) if cache is not None else cache_dir()
    target = base / f"synthetic-{packages}-{seed}"
    if not (target / _MODEL).is_file():
        base.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".synthetic-", dir=base))
        try:
            studio = synthetic_studio(scratch / "packages", packages=packages, seed=seed)
            (scratch / _MODEL).write_bytes(gzip.compress(json.dumps({
                "packages": [tuple(p) for p in studio.packages],
                "requests": studio.requests, "failing_requests": studio.failing_requests,
            }).encode()))
            try:
                os.replace(scratch, target)
            except OSError:
                if not (target / _MODEL).is_file():  # not a concurrent generation that won
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    stored = json.loads(gzip.decompress((target / _MODEL).read_bytes()))
    model = tuple(PackageData.from_strings(*row) for row in stored["packages"])
    return SyntheticStudio(target / "packages", model, stored["requests"], stored["failing_requests"], seed)


_MODEL = "model.json.gz"


# -- the model ---------------------------------------------------------------------------------


def _plan(rng: random.Random, total: int, count: int) -> list[tuple[_Family, list[_Package]]]:
    families = [_Family(name, 0, list(versions)) for name, versions in _BASE]
    remaining = total - sum(len(f.versions) for f in families)
    sizes = _skewed_sizes(rng, remaining, max(1, count - len(families)))
    names = _family_names(rng, len(sizes))
    for index, (name, size) in enumerate(zip(names, sizes, strict=True)):
        share = index / len(sizes)
        layer = 1 if share < 0.55 else 2 if share < 0.85 else 3
        family = _Family(name, layer, _versions(rng, size))
        if layer == 3:
            family.dcc = rng.choice(_DCCS)
            family.name = f"{family.dcc}_{name}"
        roll = rng.random()
        if size == 1 and roll < 0.3:
            family.layout = "unversioned"
            family.versions = [""]
        elif 2 <= size <= 12 and (roll < 0.08 or index % 40 == 21):
            family.layout = "combined"
        families.append(family)
    model: list[tuple[_Family, list[_Package]]] = []
    clock = _EPOCH
    libraries: list[_Family] = []
    for index, family in enumerate(families):
        members = []
        lower = families[:index]
        for version in family.versions:
            clock += rng.randint(60, 86_400)
            members.append(_package(rng, family, version, lower, libraries or lower, clock))
        model.append((family, members))
        if family.layer == 1:
            libraries.append(family)
    return model


def _skewed_sizes(rng: random.Random, total: int, count: int) -> list[int]:
    """``count`` sizes summing to ``total``: Pareto-distributed, most families small, and
    every 20th family a single package (candidates for unversioned packages)."""
    weights = [rng.paretovariate(1.16) for _ in range(count)]
    scale = total / sum(weights)
    single = {i for i in range(count) if i % 20 == 7 and count > 20}
    sizes = [1 if i in single else max(1, min(int(w * scale), total // 10 or 1)) for i, w in enumerate(weights)]
    index = 0
    while sum(sizes) != total:  # spread the rounding difference, deterministically
        step = 1 if sum(sizes) < total else -1
        if index % count not in single and sizes[index % count] + step >= 1:
            sizes[index % count] += step
        index += 1
    return sizes


def _family_names(rng: random.Random, count: int) -> list[str]:
    pairs = [f"{a}_{b}" for a in _WORDS_A for b in _WORDS_B]
    rng.shuffle(pairs)
    names = list(_WORDS_A) + pairs
    names = names[:count] + [f"{names[i % len(names)]}{i // len(names) + 2}" for i in range(len(names), count)]
    return names[:count]


def _versions(rng: random.Random, count: int) -> list[str]:
    scheme = rng.choices(("semver", "calendar", "milestone", "rc"), (70, 12, 8, 10))[0]
    texts: list[str] = []
    major, minor, patch = rng.randint(0, 4), rng.randint(0, 9), 0
    year, release = rng.randint(2015, 2022), 1
    while len(set(texts)) < count:
        if scheme == "calendar":
            texts.append(f"{year}.{release}")
            year, release = (year + 1, 1) if rng.random() < 0.3 else (year, release + 1)
            continue
        text = f"{major}.{minor}.{patch}"
        if scheme == "milestone":
            texts.extend(f"{major}.{minor}.{patch}.m{m}" for m in range(1, rng.randint(2, 4)))
        elif scheme == "rc" and rng.random() < 0.3:
            texts.append(f"{text}-rc{rng.randint(1, 3)}")
        texts.append(text)
        roll = rng.random()
        if roll < 0.05:
            major, minor, patch = major + 1, 0, 0
        elif roll < 0.3:
            minor, patch = minor + 1, 0
        else:
            patch += 1
    unique = {t: Version(t) for t in texts}
    return sorted(unique, key=unique.__getitem__)[:count]


def _package(rng: random.Random, family: _Family, version: str, lower: Sequence[_Family],
             libraries: Sequence[_Family], clock: int) -> _Package:
    """One package version; ``lower``: the families before it, ``libraries``: the layer-1 ones."""
    style = "static"
    roll = rng.random()
    if family.layout == "dirs" and roll < DYNAMIC_SHARE:
        style = rng.choice(("early", "late", "import", "if"))
    elif family.layout == "dirs" and roll < DYNAMIC_SHARE + YAML_SHARE:
        style = "yaml"
    if not family.layer or family.layout == "combined":  # the combined files hold no requires
        return _Package(family, version, [], [], clock, style)
    requires: list[str] = []
    # Popular (old, low-level) libraries are required most: closures stay realistic.
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
        requires.append(_requirement(rng, libraries[int(len(libraries) * rng.random() ** 2.5)]))
    variants: list[list[str]] = []
    if family.layer == 3:
        dcc = next(f for f in lower if f.name == family.dcc)
        variants = [[f"{dcc.name}-{v}"] for v in dcc.versions[-rng.randint(1, 3):]]
    elif family.layout == "dirs" and rng.random() < 0.25:
        pythons = [p.rsplit(".", 1)[0] for p in _PYTHONS[-rng.randint(1, 3):]]
        if rng.random() < 0.5:
            variants = [[f"platform-{p}", f"python-{v}"] for p in ("linux", "windows") for v in pythons]
        else:
            variants = [[f"python-{v}"] for v in pythons]
    if family.layer >= 2 and not variants and rng.random() < 0.4:
        requires.append(_requirement(rng, lower[3]))  # python
    if requires and rng.random() < 0.03:
        requires.append(f"~{_requirement(rng, rng.choice(libraries))}")
    if rng.random() < 0.02:
        other = rng.choice(libraries)
        requires.append(f"!{other.name}<{other.versions[0]}" if other.versions[0] else f"!{other.name}-0")
    if rng.random() < 0.01:
        requires.append(rng.choice((".cxx11abi-1", ".debug-0", ".gl-4")))
    return _Package(family, version, _unique_names(requires), variants, clock, style)


def _unique_names(requires: list[str]) -> list[str]:
    """One requirement per family: rez rejects a package whose requires conflict."""
    seen: set[str] = set()
    kept = []
    for text in requires:
        name = Requirement(text).name
        if name not in seen:
            seen.add(name)
            kept.append(text)
    return kept


# Most requirements admit the newest version (a studio keeps its stack current); pins
# ("prefix", "eq", an older "major") are what make some combinations fail.
_FORMS: tuple[tuple[str, int], ...] = (
    ("major", 20), ("from", 25), ("any", 8), ("between", 10), ("ge", 6), ("lt", 4),
    ("prefix", 3), ("eq", 1), ("dots", 6), ("union", 6), ("le", 2), ("gt", 3), ("gtlt", 6),
)


def _requirement(rng: random.Random, family: _Family) -> str:
    """A requirement on ``family`` in one of rez's range syntaxes that admits a recent version."""
    name, versions = family.name, family.versions
    if versions == [""] or family.layout == "combined":
        return name
    pick = rng.choice(versions[len(versions) // 2:])
    older = rng.choice(versions[: versions.index(pick) + 1])
    newest = versions[-1]
    major = _major(newest)
    above = str(int(major) + 1) if major.isdigit() else "999"
    form = rng.choices([f for f, _ in _FORMS], [w for _, w in _FORMS])[0]
    texts = {
        "major": f"{name}-{_major(pick if rng.random() < 0.2 else newest)}", "any": name, "between": f"{name}-{older}+<{above}",
        "ge": f"{name}>={older}", "lt": f"{name}<{above}", "prefix": f"{name}-{pick}",
        "eq": f"{name}=={pick}", "dots": f"{name}-{older}..{newest}", "union": f"{name}-{older}|{pick}+",
        "le": f"{name}<={newest}", "gt": f"{name}>{versions[0]}", "gtlt": f"{name}>={older}<{above}",
    }
    if form == "gt" and pick == versions[0]:
        form = "from"
    return texts.get(form, f"{name}-{older}+")


def _major(version: str) -> str:
    return version.split(".")[0].split("-")[0]


# -- writing -----------------------------------------------------------------------------------


def _write_family(root: Path, family: _Family, members: list[_Package], rng: random.Random) -> None:
    if family.layout == "combined":
        # version_overrides touch only a non-solver field: the requires stay those above.
        text = (f"name = {family.name!r}\nversions = {family.versions!r}\n"
                f"description = 'a combined single-file family'\n"
                f"version_overrides = {{{family.versions[-1]!r}: {{'description': 'latest'}}}}\n")
        (root / f"{family.name}.py").write_text(text)
        return
    base = root / family.name
    if family.layout == "unversioned":
        base.mkdir()
        (base / "package.py").write_text(_package_py(members[0]))
        return
    for package in members:
        directory = base / package.version
        directory.mkdir(parents=True)
        if package.style == "yaml":
            (directory / "package.yaml").write_text(_package_yaml(package))
        else:
            (directory / "package.py").write_text(_package_py(package))
    if rng.random() < 0.03:  # a release pulled from use: rez hides it
        hidden = f"{family.versions[-1]}.1"
        (base / hidden).mkdir()
        (base / hidden / "package.py").write_text(f"name = {family.name!r}\nversion = {hidden!r}\n")
        (base / f".ignore{hidden}").write_text("")
    if rng.random() < 0.02:  # a build in progress: a payload but no definition yet
        building = f"{family.versions[-1]}.2"
        (base / building / "bin").mkdir(parents=True)
        (base / f".building{building}").write_text("")


def _package_py(package: _Package) -> str:
    family = package.family
    lines = [f"name = {family.name!r}"]
    if package.version:
        lines.append(f"version = {package.version!r}")
    lines += [f"description = {'The ' + family.name.replace('_', ' ') + ' package.'!r}",
              "authors = ['pipeline']"]
    style, requires = package.style, package.requires
    if style == "import":
        lines.insert(0, "import os")
        lines.append("help = os.path.join('docs', 'index.html')")
    if style == "early":
        lines.append(f"\n@early()\ndef requires():\n    found = {requires!r}\n    return list(found)\n")
    elif style == "if":
        lines.append(f"_legacy = False\nif _legacy:\n    requires = ['python-2']\nelse:\n    requires = {requires!r}")
    elif requires:
        lines.append(f"requires = {requires!r}")
    if package.variants:
        lines.append(f"variants = {package.variants!r}")
    lines.append(f"timestamp = {package.timestamp}")
    tool = family.name.split("_")[-1]
    if style == "late":
        lines.append(f"\n@late()\ndef tools():\n    return [{tool!r}, {tool + '-' + 'batch'!r}]\n")
    else:
        lines.append(f"tools = [{tool!r}]")
    lines.append("\ndef commands():\n    env.PATH.append('{root}/bin')\n")
    return "\n".join(lines) + "\n"


def _package_yaml(package: _Package) -> str:
    # JSON strings are YAML strings: quoting keeps '2024.1' a string and '!x' not a tag.
    lines = [f"name: {json.dumps(package.family.name)}", f"version: {json.dumps(package.version)}",
             f"timestamp: {package.timestamp}"]
    if package.requires:
        lines.append("requires:")
        lines += [f"- {json.dumps(r)}" for r in package.requires]
    if package.variants:
        lines.append("variants:")
        lines += [f"- {json.dumps(v)}" for v in package.variants]
    return "\n".join(lines) + "\n"


def _package_data(package: _Package) -> PackageData:
    return PackageData(
        package.family.name, package.version,
        tuple(normalise_request(r) for r in package.requires),
        tuple(tuple(normalise_request(r) for r in v) for v in package.variants),
        None if package.family.layout == "combined" else package.timestamp,
    )


# -- requests ----------------------------------------------------------------------------------


def _sample_requests(rng: random.Random, families: list[_Family], data: Sequence[PackageData],
                     want_solved: int, want_failed: int) -> tuple[list[list[str]], list[list[str]]]:
    """Draw requests like an artist's (a DCC, a python, a few tools and plugins), keep the first
    ``want_solved`` that solve and ``want_failed`` that fail."""
    from rezsnap.solver import Repository, solve_with

    repository = Repository.from_packages(data)
    top = [f for f in families if f.layer >= 2 and f.layout == "dirs"]
    dccs = {f.name: f for f in families if f.name in _DCCS}
    plugins = [f for f in top if f.dcc]
    solved: list[list[str]] = []
    failed: list[list[str]] = []
    for _ in range(50 * (want_solved + want_failed)):
        if len(solved) >= want_solved and len(failed) >= want_failed:
            break
        request = [_requirement(rng, f) for f in rng.sample(top, min(len(top), rng.randint(1, 4)))]
        if len(solved) >= want_solved and plugins:
            # A plugin with the oldest release of its DCC: often not built for it.
            plugin = rng.choice(plugins)
            assert plugin.dcc is not None  # plugins are the families with a DCC
            request.append(f"{plugin.dcc}-{dccs[plugin.dcc].versions[0]}")
        elif rng.random() < 0.5:
            request.append(_requirement(rng, rng.choice(list(dccs.values()))))
        if rng.random() < 0.3:
            request.append(f"~python-{rng.choice(('3.9', '3.10', '3'))}")
        request = _unique_names(request)
        status = solve_with(repository, request).status
        if status == "solved" and len(solved) < want_solved:
            solved.append(request)
        elif status == "failed" and len(failed) < want_failed:
            failed.append(request)
    return solved, failed
