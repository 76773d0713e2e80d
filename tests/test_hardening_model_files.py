"""`tb-phaseview` on model files that are too large, garbage, or folders that look like models: a clear one-line
answer, with the file's size checked before it is read and the parser's quote of bad input cut."""

from __future__ import annotations

import json
import time

from test_cli import run_cli

GB = 1 << 30


def sparse(path, size):
    with open(path, "wb") as f:
        f.truncate(size)  # zeros, without writing them: the file is large, the disk untouched
    return str(path)


def test_a_model_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    for name in ("big.pbtxt", "big.pb", "big.meta"):
        path = sparse(tmp_path / name, 2 * GB)  # twice the default limit of logged bytes (1 GB)
        start = time.monotonic()
        result = run_cli("report", path, "--json")
        assert time.monotonic() - start < 10
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == (
            f"tb-phaseview: {path} is 2,147.5 MB and tb-phaseview reads model files of up to 1,074 MB; it was not "
            f"read (set TB_PHASEVIEW_MAX_BLOB_BYTES to raise the limit)\n"
        )
    result = run_cli("why", path, "a")
    assert result.returncode == 2 and "it was not read" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_text_model_is_quoted_in_a_line(tmp_path):
    path = sparse(tmp_path / "zeros.pbtxt", 64 << 20)  # 64 MB of zero bytes: the parser quotes them all
    result = run_cli("report", path)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tb-phaseview: {path} is not a text GraphDef (")
    assert len(line) < 400 + len(path) and line.endswith("...)")


def test_folders_that_look_like_models_say_why_they_hold_no_graph(tmp_path):
    saved = tmp_path / "export"
    (saved / "saved_model.pb").mkdir(parents=True)
    (saved / "variables").mkdir()
    named = tmp_path / "model.pb"
    named.mkdir()
    for folder, expected in (
        (
            saved,
            {
                "path": "saved_model.pb",
                "error": "saved_model.pb is not a file (a folder?): this folder is not a SavedModel tb-phaseview reads",
            },
        ),
        (named, {"path": ".", "error": "model.pb is a folder, not a model file: read as a logdir, it holds no graph"}),
    ):
        result = run_cli("report", str(folder), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"graphs": [], "errors": [expected], "model_config_only": []}
        text = run_cli("report", str(folder))
        assert f"not read: {expected['path']}: {expected['error']}" in text.stdout
