"""Graphs for the role tests: the training graphs real TensorFlow writes at test time (tests/tf_written_roles.py,
once per session) and the third-party graphs beside the repository, each with its roles by node name."""

from __future__ import annotations

import os
import re

import pytest

import tf_written_graphs
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from third_party_graphs import SHARED_GRAPHS

GRAPHS = (
    "roles_dcgan",
    "roles_autoencoder3d",
    "roles_estimator",
    "roles_keras2_adam",
    "roles_keras2_adadelta",
    "roles_keras2_sgd",
    "roles_tf2_custom_loop",
    "roles_tf2_gan",
    "roles_tf2_mixed_precision",
    "roles_tf2_lstm",
    "roles_keras3_fit",
    "roles_keras3_gan",
    "roles_keras3_functional",
    "roles_keras3_steps",
    "roles_keras3_mirrored_lstm",
    "roles_keras3_transformer",
    "roles_tf1_towers",
    "roles_tf1_towers_resource",
    "roles_tf1_clone",
    "roles_tf1_canned_dnn_linear",
    "roles_tf1_partitioned_embedding",
    "roles_tf1_bilstm",
    "roles_tf1_cnn_schedule",
    "roles_tf1_data_pipeline",
    "roles_tf1_text_cnn",
    "roles_tf1_char_rnn",
    "roles_tf1_dqn",
    "roles_tf1_ddpg",
    "roles_tf1_bert_classifier",
    "roles_tf1_pix2pix",
    "roles_tf1_albert",
    "roles_tf1_box_predictor",
    "roles_tf1_gpt2",
    "roles_tf1_vae",
    "roles_tf1_char_rnn_frozen",
    "roles_tf1_slim_resnet",
    "roles_tf1_slim_inception",
)
GRADIENT_SCOPE = re.compile(r"(?:^|/)(?:gradients(?:_\d+)?|gradient_tape)/")


@pytest.fixture(scope="session")
def roles_graphs(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("roles_written"))
    found = {}
    for name in GRAPHS:
        folder = tf_written_graphs.write(out, name)
        for _ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
            assert error is None
            found[name] = Roles(analyze(graph), os.path.join(folder, "logs"))
    return found


def corpus(case):
    folder = os.path.join(SHARED_GRAPHS, case)
    if not os.path.isdir(folder):
        pytest.skip(f"{folder} is absent")
    for _ref, graph, error in iter_graphs(folder, graph_source.load_graph):
        assert error is None
        return Roles(analyze(graph))
    pytest.fail(f"no graph in {folder}")


class Roles:
    """One graph's roles, by node name."""

    def __init__(self, analysis, logdir=None):
        self.analysis, self.logdir = analysis, logdir
        graph = analysis.graph
        self.ops = dict(zip(graph.names, graph.ops))
        self.role = {name: analysis.roles.name_of(i) for i, name in enumerate(graph.names)}

    @property
    def traced_step(self) -> str:
        """The scope of the inlined call of a traced ``tf.function`` (``graph_N/StatefulPartitionedCall``)."""
        (scope,) = {n.rpartition("/StatefulPartitionedCall/")[0] for n in self.role if "/StatefulPartitionedCall/" in n}
        return scope + "/StatefulPartitionedCall"

    def __getitem__(self, name):
        return self.role[name]

    def of(self, names):
        return {self.role[name] for name in names}

    def named(self, pattern):
        found = [name for name in self.role if re.search(pattern, name)]
        assert found, pattern
        return found

    def with_op(self, *ops):
        return [name for name, op in self.ops.items() if op in ops]
