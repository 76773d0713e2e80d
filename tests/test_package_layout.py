"""The folders show the flow (docs: README, *Layout*): read -> analysis -> serve, with the entry points on top.
The analysis is pure (no TensorBoard, no web server), so it is testable without a server."""

from __future__ import annotations

import ast
import os

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tb_phaseview")


def _imports(folder):
    for name in sorted(os.listdir(os.path.join(PACKAGE, folder))):
        if name.endswith(".py"):
            with open(os.path.join(PACKAGE, folder, name)) as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    yield name, [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    yield name, [node.module]


def test_the_analysis_imports_neither_tensorboard_nor_the_other_stages():
    for name, modules in _imports("analysis"):
        for module in modules:
            assert not module.startswith(("tensorboard", "werkzeug")), (name, module)
            assert not module.startswith(("tb_phaseview.read", "tb_phaseview.serve")), (name, module)


def test_reading_knows_nothing_of_serving():
    for name, modules in _imports("read"):
        for module in modules:
            assert not module.startswith("tb_phaseview.serve"), (name, module)


def test_only_the_entry_points_sit_at_the_top():
    top = sorted(n for n in os.listdir(PACKAGE) if n.endswith(".py"))
    assert top == ["__init__.py", "cli.py", "diff_cli.py", "plugin.py"]


def test_the_wire_format_is_pure_and_split_by_answer_family():
    """Answers are built without TensorBoard (the HTTP layer stays thin), one module per family, each small
    enough to read (ARCHITECTURE.md: past ~600 lines a family gets a module of its own)."""
    for name, modules in _imports(os.path.join("serve", "wire")):
        for module in modules:
            assert not module.startswith(("tensorboard", "werkzeug", "tb_phaseview.plugin")), (name, module)
    folder = os.path.join(PACKAGE, "serve", "wire")
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name)) as f:
                assert sum(1 for _ in f) <= 600, name
