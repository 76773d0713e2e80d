"""Constants shared by the plugin, the CLI and the wire format."""

PLUGIN_NAME = "phaseview"
TAB_NAME = "PhaseView"

# The graph kinds tb_phaseview reads, and the TensorBoard data-plugin names that hold them. A trace and a
# trace with profile share a tag namespace, so the kind is part of a graph's identity.
RUN_GRAPH = "run_graph"
TRACE = "trace"
RUN_METADATA = "run_metadata"
TAGGED_RUN_METADATA = "tagged_run_metadata"

GRAPH_KINDS = {
    RUN_GRAPH: "graphs",
    TRACE: "graph_run_metadata_graph",
    RUN_METADATA: "graph_run_metadata",
    TAGGED_RUN_METADATA: "graph_tagged_run_metadata",
}
RUN_GRAPH_TAG = "__run_graph__"
# Keras's model config (its layers and how they connect, no ops): what the Graphs tab draws as the "conceptual
# graph". Keras 3's TensorBoard callback writes only this unless it traces a batch.
KERAS_MODEL_CONFIG = "graph_keras_model"
