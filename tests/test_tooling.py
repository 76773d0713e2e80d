"""The lint gate: `make lint` runs ruff, eslint, prettier and tsc with the project's own settings, `make test` runs
it first, and each tool fails on a planted error and passes the same code written cleanly.

Planted code goes to the tools on standard input under a path inside the repository (or, for tsc, into a
temporary project that extends frontend/tsconfig.json), so each tool applies the configuration it applies to
the real sources, and nothing is written into the checkout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from demo import REPO

FRONTEND = os.path.join(REPO, "frontend")


def ruff() -> str:
    """The ruff that `make lint` runs: the virtualenv's, installed from requirements-dev-lock.txt."""
    for candidate in [os.path.join(os.path.dirname(sys.executable), "ruff"), *_on_path("ruff")]:
        if os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("ruff is missing: `make install` installs it from requirements-dev-lock.txt")


def _on_path(name: str) -> list[str]:
    return [os.path.join(folder, name) for folder in os.environ.get("PATH", "").split(os.pathsep) if folder]


def node_tool(name: str) -> str:
    path = os.path.join(FRONTEND, "node_modules", ".bin", name)
    if not os.path.exists(path):
        pytest.fail(f"{name} is missing: `make install` runs `npm ci` in frontend/")
    return path


def run(command: list[str], stdin: str, cwd: str = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)


PY_UNUSED_IMPORT = 'import os\n\n\ndef greet():\n    return "hello"\n'
PY_CLEAN = 'def greet():\n    return "hello"\n'
PY_UNFORMATTED = "def greet( ):\n    return 'hello'\n"

TS_UNUSED_VARIABLE = "const unused = 1;\nexport const greeting = 'hello';\n"
TS_CLEAN = "export const greeting = 'hello';\n"
TS_UNFORMATTED = 'export const greeting = "hello"\n'
TS_TYPE_ERROR = "export const count: number = 'three';\n"


def test_ruff_is_the_pinned_version():
    with open(os.path.join(REPO, "requirements-dev-lock.txt"), encoding="utf-8") as lock:
        (pinned,) = re.findall(r"^ruff==(\S+)$", lock.read(), flags=re.M)
    version = subprocess.run([ruff(), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.split() == ["ruff", pinned]


def test_ruff_check_fails_on_an_unused_import_and_passes_clean_code():
    command = [ruff(), "check", "--no-cache", "--stdin-filename", "tb_phaseview/planted.py", "-"]
    planted = run(command, PY_UNUSED_IMPORT)
    assert planted.returncode == 1
    assert "F401" in planted.stdout and "tb_phaseview/planted.py" in planted.stdout
    assert run(command, PY_CLEAN).returncode == 0


def test_ruff_format_fails_on_unformatted_code_and_passes_formatted_code():
    command = [ruff(), "format", "--check", "--no-cache", "--stdin-filename", "tests/planted.py", "-"]
    assert run(command, PY_UNFORMATTED).returncode == 1
    assert run(command, PY_CLEAN).returncode == 0


def test_ruff_uses_a_line_length_of_120():
    command = [ruff(), "format", "--check", "--no-cache", "--stdin-filename", "tests/planted.py", "-"]
    call = "result = combine(" + ", ".join(f"argument_{i}" for i in range(9)) + ")\n"
    assert run(command, call.replace("result", "r" * (120 - len(call) + len("result") + 1))).returncode == 0
    assert run(command, call.replace("result", "r" * (120 - len(call) + len("result") + 2))).returncode == 1


def test_eslint_fails_on_an_unused_variable_and_passes_clean_code():
    command = [node_tool("eslint"), "--stdin", "--stdin-filename", "src/planted.ts"]
    planted = run(command, TS_UNUSED_VARIABLE, cwd=FRONTEND)
    assert planted.returncode == 1
    assert "@typescript-eslint/no-unused-vars" in planted.stdout
    assert run(command, TS_CLEAN, cwd=FRONTEND).returncode == 0


def test_prettier_fails_on_double_quotes_and_a_missing_semicolon_and_passes_the_project_style():
    command = [node_tool("prettier"), "--check", "--stdin-filepath", "src/planted.ts"]
    assert run(command, TS_UNFORMATTED, cwd=FRONTEND).returncode != 0
    assert run(command, TS_CLEAN, cwd=FRONTEND).returncode == 0


def test_tsc_fails_on_a_type_error_under_the_project_settings(tmp_path):
    (tmp_path / "tsconfig.json").write_text(
        json.dumps(
            {
                "extends": os.path.join(FRONTEND, "tsconfig.json"),
                "compilerOptions": {"typeRoots": [os.path.join(FRONTEND, "node_modules", "@types")]},
                "include": ["planted.ts"],
            }
        )
    )
    command = [node_tool("tsc"), "--noEmit", "-p", str(tmp_path)]
    (tmp_path / "planted.ts").write_text(TS_TYPE_ERROR)
    planted = run(command, "", cwd=FRONTEND)
    assert planted.returncode != 0 and "TS2322" in planted.stdout
    (tmp_path / "planted.ts").write_text(TS_CLEAN)
    assert run(command, "", cwd=FRONTEND).returncode == 0


def test_npm_run_lint_runs_eslint_prettier_and_tsc():
    with open(os.path.join(FRONTEND, "package.json"), encoding="utf-8") as package:
        steps = [step.strip() for step in json.load(package)["scripts"]["lint"].split("&&")]
    assert [step.split()[0] for step in steps] == ["eslint", "prettier", "tsc"]
    assert "--check" in steps[1].split() and "src" in steps[1].split() and "test" in steps[1].split()
    assert "--noEmit" in steps[2].split()


def dry_run(target: str) -> str:
    result = subprocess.run(["make", "-n", target], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_lint_runs_every_check():
    commands = dry_run("lint")
    for check in ["ruff check .", "ruff format --check .", "npm run lint"]:
        assert check in commands


def test_make_test_lints_before_it_tests():
    commands = dry_run("test")
    order = [commands.index(step) for step in ["ruff check .", "npm run lint", "npm test", "-m pytest"]]
    assert order == sorted(order)
