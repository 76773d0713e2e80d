"""A fresh server's first answer pays for nothing but its own work: whatever a library loads on first use is
loaded when the plugin is imported (at TensorBoard's start), not while the first visitor waits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from demo import DEMO_LOGS


def test_the_first_graph_answer_of_a_fresh_process_imports_no_module():
    script = textwrap.dedent(
        f"""
        import sys
        import tb_phaseview.plugin
        from tb_phaseview.read import graph_source
        from tb_phaseview.serve import wire
        from tb_phaseview.analysis.pipeline import analyze
        from tb_phaseview.cli import iter_graphs

        graphs = list(iter_graphs({DEMO_LOGS!r}, graph_source.load_graph))
        before = set(sys.modules)
        for ref, graph, error in graphs:
            assert error is None, error
            tb_phaseview.plugin._graph_answer_text(analyze(graph), ref)
        print(sorted(set(sys.modules) - before))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # numpy.ma (17 ms, imported by np.unique's first call) was the one found.
    assert done.stdout.strip() == "[]"
