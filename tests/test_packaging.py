"""Installing from a source checkout bundles the frontend, or fails clearly; never a plugin without its UI."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import tb_phaseview
from demo import REPO

SOURCES = ["pyproject.toml", "setup.py", "README.md", "tb_phaseview", "frontend"]


def source_checkout(dest, with_node_modules):
    dest.mkdir()
    for item in SOURCES:
        src = os.path.join(REPO, item)
        if os.path.isdir(src):
            shutil.copytree(
                src,
                dest / item,
                ignore=shutil.ignore_patterns("node_modules", "build-test", "__pycache__", "*.js", "*.map"),
            )
        else:
            shutil.copy(src, dest / item)
    # Keep the copied frontend sources but not a previous build's output.
    assert not (dest / "tb_phaseview" / "static" / "index.js").exists()
    if with_node_modules:
        os.symlink(os.path.join(REPO, "frontend", "node_modules"), dest / "frontend" / "node_modules")
    return dest


def build_wheel(checkout, out, path):
    python_only = out / "bin"
    python_only.mkdir(parents=True)
    os.symlink(sys.executable, python_only / "python")
    env = {"PATH": os.pathsep.join([str(python_only), *path]), "HOME": os.environ.get("HOME", "/root")}
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(checkout), "--no-deps", "--no-build-isolation", "-w", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_install_without_node_fails_with_a_clear_message(tmp_path):
    checkout = source_checkout(tmp_path / "src", with_node_modules=False)
    result = build_wheel(checkout, tmp_path / "out", path=[])
    assert result.returncode != 0
    assert "Node.js and npm are needed to build the frontend" in result.stdout + result.stderr
    assert not list((tmp_path / "out").glob("*.whl"))


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js")
def test_wheel_from_source_carries_the_built_frontend(tmp_path):
    checkout = source_checkout(tmp_path / "src", with_node_modules=True)
    node_dirs = sorted({os.path.dirname(shutil.which("npm")), os.path.dirname(shutil.which("node"))})
    result = build_wheel(checkout, tmp_path / "out", path=node_dirs)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    # The wheel takes its version from tb_phaseview/__init__.py, the one place it is written.
    (wheel,) = (tmp_path / "out").glob(f"tb_phaseview-{tb_phaseview.__version__}-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"tb_phaseview/static/{f}" for f in ("index.js", "app.js", "layout.worker.js")} <= set(names)
    assert "tb_phaseview/read/output_args.json" in names  # read when a trace's nested calls are inlined
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "phaseview = tb_phaseview.plugin:PhaseViewPlugin" in text
    assert "tb-phaseview = tb_phaseview.cli:main" in text


def test_installed_plugin_is_registered_for_tensorboard():
    (entry,) = [e for e in importlib.metadata.entry_points(group="tensorboard_plugins") if e.name == "phaseview"]
    assert entry.load().plugin_name == "phaseview"


def test_runtime_needs_only_tensorboard_and_protobuf():
    requires = importlib.metadata.requires("tb_phaseview")
    runtime = sorted(r.split(">")[0].split("=")[0].split("<")[0].strip() for r in requires if "extra ==" not in r)
    assert runtime == ["protobuf", "tensorboard"]


def test_numpy_comes_with_tensorboard():
    """The analysis runs its whole-graph passes with numpy, which TensorBoard itself requires: no third package."""
    requires = importlib.metadata.requires("tensorboard")
    assert any(re.match(r"numpy\b", r) and "extra ==" not in r for r in requires)
    assert "numpy" in read_lock("requirements-runtime-lock.txt")


def read_lock(name):
    """{package name (normalised): version} of a lock file, following its `-r` includes."""
    pins = {}
    with open(os.path.join(REPO, name), encoding="utf-8") as lock:
        for line in lock:
            line = line.split("#")[0].strip()
            if line.startswith("-r "):
                pins.update(read_lock(line[3:].strip()))
            elif line:
                package, version = line.split("==")
                pins[re.sub(r"[-_.]+", "-", package).lower()] = version
    return pins


def test_the_demo_lock_holds_no_tensorflow_and_no_development_tools():
    runtime = read_lock("requirements-runtime-lock.txt")
    assert {"tensorboard", "protobuf", "tensorboard-data-server"} <= runtime.keys()
    heavy = {"tensorflow", "tensorflow-cpu", "tf-keras", "keras", "pytest", "hypothesis", "playwright", "ruff"}
    assert not heavy & runtime.keys()


def test_the_development_lock_adds_tensorflow_and_the_tools_to_the_same_runtime_pins():
    runtime = read_lock("requirements-runtime-lock.txt")
    dev = read_lock("requirements-dev-lock.txt")
    assert {"tensorflow-cpu", "tf-keras", "pytest", "hypothesis", "playwright", "ruff"} <= dev.keys()
    assert {name: dev[name] for name in runtime} == runtime


def test_the_version_is_written_once():
    assert re.fullmatch(r"\d+\.\d+\.\d+", tb_phaseview.__version__)
    for name in ["setup.py", "pyproject.toml"]:
        with open(os.path.join(REPO, name), encoding="utf-8") as source:
            assert tb_phaseview.__version__ not in source.read(), name
    with open(os.path.join(REPO, "frontend", "package.json"), encoding="utf-8") as package:
        assert "version" not in json.load(package)  # the frontend ships inside the Python package


def test_make_demo_installs_the_runtime_lock_only():
    dry_run = subprocess.run(["make", "-n", "-B", "demo"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "-r requirements-runtime-lock.txt" in dry_run.stdout
    assert "requirements-dev-lock.txt" not in dry_run.stdout
