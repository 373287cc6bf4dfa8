"""Every code block of the README and of docs/ runs, as written, against the built-in or a
synthetic dataset, and prints what the text says.

The studio of the examples is made real: ``/studio/packages`` is the ``synthetic-2k``
dataset, ``/studio/ext`` a second small repository, ``/studio/snapshots`` a temporary
folder, rez's Python (``/opt/rez/bin/python``) this one, with the integration's ``.pth``
written to a temporary site folder. Blocks run in order, in one working directory, as a
reader would paste them. ``pip install`` and the test run itself are not re-run here; the
benchmark commands run on the smallest dataset with one repeat (their figures are not
checked, their command lines are). A Python line ``EXPRESSION  # VALUE`` must give VALUE.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_CRON = re.compile(r"^([\d*/,-]+\s+){5}\w+\s+")  # a crontab line: five time fields and a user
_LITERAL_COMMENT = re.compile(r"""\s{2,}#\s*(['"\[\d]|None\b|True\b|False\b)""")

pytest.importorskip("rez", reason="the README's examples include rez's benchmark dataset")


def blocks() -> list[tuple[str, int, str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((document.name, line, match.group(1), match.group(2)))
    return found


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from rezsnap.bench.rez_reference import isolated_rez_environ
    from rezsnap.datasets import load_dataset

    root = tmp_path_factory.mktemp("studio")
    ext = root / "ext"
    for name in ("tool", "plugin"):
        (ext / name / "1.0").mkdir(parents=True)
        (ext / name / "1.0" / "package.py").write_text(f"name = '{name}'\nversion = '1.0'\n")
    (root / "snapshots").mkdir()
    (root / "site").mkdir()
    (root / "work").mkdir()
    packages = str(load_dataset("synthetic-2k").path)
    env = isolated_rez_environ(os.environ)
    env["REZ_PACKAGES_PATH"] = packages
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    paths = {"/studio/packages": packages, "/studio/ext_packages": str(ext), "/studio/ext": str(ext),
             "/studio/snapshots": str(root / "snapshots"), "/var/log/rezsnap": str(root)}
    return {"root": root, "work": root / "work", "env": env, "paths": paths}


def _real(text: str, studio: dict[str, Any]) -> str:
    for fake, real in studio["paths"].items():
        text = text.replace(fake, real)
    return text


def _command(line: str, studio: dict[str, Any]) -> str | None:
    """The shell line to run for a documented one, or None when it is not re-run here."""
    line = _CRON.sub("", line)
    if "pip install" in line:
        if "&&" not in line:
            return None
        line = line.split("&&", 1)[1].strip()
    if line == "python -m pytest":
        return None  # this very test run
    python = shlex.quote(sys.executable)
    line = re.sub(r"(^|&&\s*|;\s*)(/opt/rez/bin/rezsnap|rezsnap)\s", rf"\1{python} -m rezsnap ", line)
    line = re.sub(r"(^|&&\s*|;\s*)(/opt/rez/bin/python|python)\s+-m\s", rf"\1{python} -m ", line)
    if " rezsnap rez " in line:
        line += f" --site {shlex.quote(str(studio['root'] / 'site'))}"
    if " bench " in line:
        line = re.sub(r"\s\[[^\]]*\]", "", line)  # [--optional] placeholders
        line = line.replace("rez-benchmark", "synthetic-2k").replace("synthetic-10k", "synthetic-2k")
        line = re.sub(r"--sample \d+", "--sample 2", line)
        line = re.sub(r"--sizes [\d ]+", "--sizes 600 ", line)
        line = re.sub(r"--plot \S+", f"--plot {studio['root']}/chart.png", line)
        line = "; ".join(part if "--repeat" in part or re.search(r"bench\s+(scale|rez-env|paths)\b", part)
                         else part + " --repeat 1" for part in line.split("; "))
        if "bench rez-env" in line:
            line += " --repeat 1"
    if "pytest bench/" in line:
        line = line.replace("--benchmark-only", "--benchmark-disable -q")
    line = re.sub(r"--random \d+", "--random 3", line)
    return _real(line, studio)


def _shell_lines(code: str) -> list[str]:
    joined = code.replace("\\\n", " ")
    lines = []
    for line in joined.splitlines():
        line = re.sub(r"\s{2,}#.*$", "", line).strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _run_shell(code: str, studio: dict[str, Any]) -> None:
    env = dict(studio["env"])
    for line in _shell_lines(code):
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            env[name] = _real(value, studio)
            continue
        command = _command(line, studio)
        if command is None:
            continue
        if "matplotlib" not in sys.modules and "--plot" in command:
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                command = re.sub(r"--plot \S+", "", command)
        where = ROOT if " pytest " in command else studio["work"]  # the project's own commands run in it
        completed = subprocess.run(["bash", "-c", command], cwd=where, env=env, capture_output=True,
                                   text=True, timeout=900, check=False)
        assert completed.returncode == 0, (line, command, completed.stdout[-2000:], completed.stderr[-2000:])


_CHECK = """
import ast, json, sys
source, checks = json.loads(sys.argv[1])
namespace = {}
for node in ast.parse(source).body:
    expected = checks.get(str(node.lineno))
    if expected is not None and isinstance(node, ast.Expr):
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print":
            import contextlib, io
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(ast.Module([node], []), "<block>", "exec"), namespace)
            sys.stdout.write(printed.getvalue())
            text = printed.getvalue().strip()
            shown = (repr(text), json.dumps(text), text)
        else:
            value = eval(compile(ast.Expression(call), "<block>", "eval"), namespace)
            shown = (repr(value), str(value))
        if not any(expected.startswith(form) for form in shown):
            raise SystemExit(f"line {node.lineno}: {shown[0]} is not what the text says: {expected}")
    else:
        exec(compile(ast.Module([node], []), "<block>", "exec"), namespace)
"""


def _run_python(code: str, studio: dict[str, Any]) -> str:
    source = _real(code, studio)
    checks: dict[int, str] = {}
    for number, line in enumerate(source.splitlines(), 1):
        match = _LITERAL_COMMENT.search(line)
        if match and not line.lstrip().startswith("#"):
            checks[number] = line[match.start(1):].strip()
    completed = subprocess.run([sys.executable, "-c", _CHECK, json.dumps([source, {str(k): v for k, v in checks.items()}])],
                               cwd=studio["work"], env=studio["env"], capture_output=True, text=True, timeout=900,
                               check=False)
    assert completed.returncode == 0, (code, completed.stdout[-2000:], completed.stderr[-3000:])
    return completed.stdout


def _run_sql(code: str, studio: dict[str, Any]) -> None:
    duckdb = pytest.importorskip("duckdb")
    cwd = os.getcwd()
    try:
        os.chdir(studio["work"])
        rows = duckdb.sql(code).fetchall()
    finally:
        os.chdir(cwd)
    assert rows, "the query returns no rows"


def test_every_code_block_runs_and_prints_what_the_text_says(studio: dict[str, Any]) -> None:
    found = blocks()
    assert len(found) >= 15
    for document, line, language, code in found:
        where = f"{document}:{line}"
        if language == "sh":
            _run_shell(code, studio)
        elif language == "python":
            out = _run_python(code, studio)
            if "parse_static_package_py(path.read_bytes())" in code:  # the output the comment shows
                assert "PackageData(name='cope', version='3.79.3', requires=('bonus-18.2.0+<19',)" in out, where
        elif language == "sql":
            if (studio["work"] / "packages.parquet").exists():
                _run_sql(code, studio)
        else:
            pytest.fail(f"{where}: a {language} block: no runner for it")
