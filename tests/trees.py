"""Fixture trees for the scanner, after rez-repository.md section 12 (rule ids E.., S.., X..).

Each builder takes an empty directory and lays out a repository in it; it returns
the list of package paths to scan. rez's observed behaviour on each is in the spec.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

PY = "name = 'x'\n"

Builder = Callable[[Path], list[str]]
TREES: dict[str, Builder] = {}


def tree(func: Builder) -> Builder:
    TREES[func.__name__] = func
    return func


def write(path: Path, text: str = PY) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def package_py(root: Path, name: str, version: str, body: str = "") -> Path:
    """``root/name/version/package.py`` with its name, version and ``body`` (a directory package)."""
    path = root / name / version / "package.py"
    write(path, f"name = '{name}'\nversion = '{version}'\n{body}")
    return path


def writeb(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@tree
def e01_basic(root: Path) -> list[str]:
    """E01: py and yaml families, several versions, variants."""
    write(root / "foo/1.0/package.py", "name='foo'\nversion='1.0'\nvariants=[['a'],['b']]\n")
    write(root / "foo/2.0/package.py")
    write(root / "bar/3/package.yaml", "name: bar\nversion: '3'\n")
    return [str(root)]


@tree
def e02_family_names(root: Path) -> list[str]:
    """E02: valid and invalid family names, including dirs named like files."""
    for name in [".hidden", "foo-bar", "foo.bar", "foo..bar", "foo.", "_under", "__pycache__",
                 "9num", "ünï", "foo bar", "a", "A_B", "x.py", "x.yaml", "x.txt"]:
        write(root / name / "1.0/package.py")
    return [str(root)]


@tree
def e03_root_files(root: Path) -> list[str]:
    """E03: combined families at the repo root, and root files that are not families."""
    write(root / "multi.py", "name = 'multi'\nversions = ['1.0', '1.1', '2.0']\n"
          "version_overrides = {'1.1+': {'requires': ['python-3']}, '2': {'description': 'd'}}\n")
    write(root / "single_unversioned.yaml", "name: single_unversioned\n")
    write(root / "emptyversions.py", "versions = []\n")
    for name in ["plain.txt", "noext", ".hidden.py", "bad-name.py", "upper.PY", "alt.yml"]:
        write(root / name, "versions = ['1.0']\n")
    write(root / "package.py", "version = '1'\n")
    write(root / "dotted.name.yaml", "description: dotted\n")
    write(root / "settings.yaml", "{}\n")
    return [str(root)]


@tree
def e04_version_names(root: Path) -> list[str]:
    """E04 / spec 12.5: version dir names are listed without validation; '.1.0' is hidden."""
    for name in ["1.0", "1.0 beta", "foo bar", "1..0", "_1.0", ".1.0", "1.0-", "v1", "1-0", "01",
                 "1é0", "-1", "1.0+build", "1+0"]:
        write(root / "fam" / name / "package.py")
    write(root / "fam/notes.txt", "notes")
    return [str(root)]


@tree
def e05_ignore_markers(root: Path) -> list[str]:
    """E05 / spec 12.6: .ignore markers."""
    fam = root / "fam"
    for v in ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "1-0"]:
        write(fam / v / "package.py")
    for marker in [".ignore1.0", ".ignore", ".ignore3", ".ignore*", ".IGNORE5.0"]:
        write(fam / marker, "")
    (fam / ".ignore2.0").mkdir()
    os.symlink(".ignore", fam / ".ignore4.0")
    os.symlink("missing", fam / ".ignore6.0")  # a broken marker hides nothing
    return [str(root)]


@tree
def e06_building_markers(root: Path) -> list[str]:
    """E06 / spec 12.7: .building markers."""
    fam = root / "fam"
    write(fam / "1.0/package.py")
    write(fam / ".building1.0", "")
    write(fam / "2.0/payload/file", "")
    write(fam / ".building2.0", "")
    os.utime(fam / ".building2.0", (0, 0))
    (fam / "3.0").mkdir(parents=True)
    write(fam / ".building4.0", "")
    write(fam / ".building5.0/package.py")
    write(fam / "6.0/package.yaml", "name: fam\n")
    write(fam / ".building6.0", "")
    write(fam / ".hiddendir/package.py")
    return [str(root)]


@tree
def e07_definition_files(root: Path) -> list[str]:
    """E07 / spec 12.8: which definition file a version dir has."""
    fam = root / "fam"
    write(fam / "1.0/package.yaml", "name: fam\n")
    write(fam / "2.0/package.py")
    write(fam / "2.0/package.yaml", "name: fam\n")
    write(fam / "3.0/package.txt")
    (fam / "4.0").mkdir()
    (fam / "5.0/package.py").mkdir(parents=True)
    write(fam / "5.0/package.yaml", "name: fam\n")
    write(fam / "6.0/package.PY")
    write(fam / "7.0/package.yml")
    write(fam / "8.0/rezbuild.py")
    return [str(root)]


@tree
def e08_symlinks(root: Path) -> list[str]:
    """E08 / spec 12.10: symlinked families and versions, broken links."""
    write(root / "fam/1.0/package.py")
    os.symlink("1.0", root / "fam/2.0")
    os.symlink("missing", root / "fam/3.0")
    (root / "fam/6.0").mkdir()
    os.symlink("../1.0/package.py", root / "fam/6.0/package.py")
    os.symlink("fam", root / "linkfam")
    os.symlink("nowhere", root / "brokenfam")
    write(root / "real/4.0/package.py")
    return [str(root)]


@tree
def e08_repo_through_symlink(root: Path) -> list[str]:
    """E08: a repo reached through a symlink lists paths on the realpath."""
    write(root / "actual/foo/1.0/package.py")
    os.symlink("actual", root / "via")
    return [str(root / "via")]


@tree
def e09_unversioned(root: Path) -> list[str]:
    """E09 / spec 12.9: a family dir holding the definition file hides its version dirs."""
    write(root / "ufam/package.py")
    write(root / "ufam/1.0/package.py")
    write(root / "ufam/2.0/package.py")
    write(root / "yfam/package.yaml", "version: '7.7'\n")
    write(root / "vfam/1.0/package.py")
    return [str(root)]


@tree
def e10_dir_and_file(root: Path) -> list[str]:
    """E10 / spec 12.4: the same name as a dir and a file; files and empty dirs."""
    write(root / "filefam", "")
    write(root / "x.py/1.0/package.py")
    (root / "emptyfam").mkdir()
    write(root / "onlyfiles/README", "")
    write(root / "dup/1.0/package.py")
    write(root / "dup.py", "versions = ['9.0']\n")
    write(root / "two.py", "versions = ['1']\n")
    write(root / "two.yaml", "versions: ['2']\n")
    return [str(root)]


@tree
def e11_name_mismatch(root: Path) -> list[str]:
    """E11 / spec 12.13: the path wins over name and version in the file."""
    write(root / "foo/1.0/package.py", "name = 'bar'\nversion = '9.9'\n")
    write(root / "foo/2.0/package.py", "")
    write(root / "foo/3.0/package.py", "version = 'not valid!!'\n")
    return [str(root)]


@tree
def e17_combined_matrix(root: Path) -> list[str]:
    """E17 / X04: combined files with duplicates, bad versions, no versions."""
    write(root / "c1.yaml", "versions: ['1.0', '2.0', '1-0']\nversion_overrides:\n"
          "  '1': {requires: [one]}\n  '==2.0': {requires: [two]}\n")
    write(root / "c2.py", "versions = [1, 2]\n")
    write(root / "c3.py", "versions = ['bad..v']\n")
    write(root / "c4.py", "name = 'other'\n")
    write(root / "c6.py", "versions = ('1.0', '2.0')\n")
    write(root / "c7.yaml", "versions: null\n")
    write(root / "c8.yaml", "")
    write(root / "c9.yaml", "- a\n- b\n")
    write(root / "d.yaml", "versions: ['1.0', '1.0', '2']\n")
    write(root / "e.py", "'''doc'''\nversions = ['1', '2']\ndef commands():\n    pass\n")
    write(root / "f.py", "versions = ['1', '2'  # unclosed\n")
    write(root / "g.py", "versions = ['1']\nversion_overrides = {'1..': {}}\n")  # bad range key
    write(root / "h.yaml", "versions: ['1']\nversion_overrides: {'1': 5}\n")
    write(root / "i.yaml", "versions: ['1']\nversion_overrides: [1]\n")
    write(root / ".ignore1.0", "")
    return [str(root)]


@tree
def e19_special_entries(root: Path) -> list[str]:
    """E19: a FIFO version, a version with a space, __pycache__, package.py as a dir."""
    fam = root / "fam"
    write(fam / "1.0/package.py")
    os.mkfifo(fam / "2.0")
    write(fam / "3 0/package.py")
    write(fam / "__pycache__/package.py")
    (fam / "4.0/package.py").mkdir(parents=True)
    return [str(root)]


@tree
def e26_no_version(root: Path) -> list[str]:
    """E26 / spec 12.16: a _NO_VERSION dir is an unversioned package with no file."""
    write(root / "fam/_NO_VERSION/package.py")
    write(root / "fam/1.0/package.py")
    return [str(root)]


@tree
def s01_multiple_repos(root: Path) -> list[str]:
    """S01 / spec 12.15: overlapping repos; each lists its own families."""
    write(root / "r1/foo/1.0/package.py")
    write(root / "r2/foo/1.0/package.py")
    write(root / "r2/foo/2.0/package.py")
    write(root / "r2/bar/package.py")
    return [str(root / "r1"), str(root / "r2")]


@tree
def s05_path_forms(root: Path) -> list[str]:
    """S05: relative-looking, trailing-slash and '..' forms; a missing path; a file."""
    write(root / "repo/foo/1.0/package.py")
    write(root / "afile", "")
    return [str(root / "repo") + "//", str(root / "repo/../repo"), str(root / "missing"),
            str(root / "afile")]


@tree
def s08_non_utf8(root: Path) -> list[str]:
    """S08: non-UTF-8 bytes in a family name (skipped) and a version name (listed)."""
    base = os.fsencode(root)
    os.makedirs(base + b"/bad\xfffam/1.0")
    open(base + b"/bad\xfffam/1.0/package.py", "w").close()
    os.makedirs(base + b"/fam/1\xff0")
    open(base + b"/fam/1\xff0/package.py", "w").close()
    return [str(root)]


@tree
def version_order(root: Path) -> list[str]:
    """E15/E16: versions that are equal or order trickily; families in odd order."""
    for v in ["1.0", "1-0", "1.00", "1_0", "1", "2", "3", "10", "1.5", "0.9", "1.a", "1.A", "01"]:
        write(root / "fam" / v / "package.py")
    for fam in ["zeta", "alpha", "mid", "Beta"]:
        write(root / fam / "1/package.py")
    return [str(root)]


@tree
def large_family(root: Path) -> list[str]:
    """A family big enough to be split into several lookup tasks."""
    for i in range(300):
        write(root / "big" / f"1.{i}" / ("package.yaml" if i % 7 == 0 else "package.py"), "x: 1\n")
    (root / "big/2.0").mkdir()
    write(root / "big/.building2.0", "")
    (root / "big/3.0").mkdir()
    return [str(root)]
