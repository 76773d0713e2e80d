"""The groups a graph's first view opens: down to the scope its model's layers share.

A trace holds its step in ``graph_<i>/`` (Keras 3's inside ``graph_22/StatefulPartitionedCall/<model>_1/``), so
its top level is a box or five: the first view showed ``graph_22 · 176 ops`` and nothing of the model; a tf_keras
``fit`` run graph holds its model in one box (``multi_io · 72 ops``) among the loss's and the metrics' loose ops.
Opened down to the layers' shared scope, it shows the layers, as the first view of a graph whose layers are at the
top level does; so does a graph whose one outermost layer holds all the others (GPT-2's ``model``), opened. Only
for a top level of few boxes (more already show what there is: layers at the top level) and a graph small enough
that finding its layers (``layers.layer_names``: which scopes are layers, not what each is) costs the first view
little: 0.08 s for EfficientNetB7's 65k-node Keras 3 trace, 0.26 s at 200k nodes. A top level in buckets (a wide
model's thousands of layers) is in sight already: its layers are not looked for.
"""

from __future__ import annotations

from tb_phaseview.analysis import layers, pipeline, scopes

MAX_TOP_LEVEL_BOXES = 12  # boxes at the top level, the machinery's areas and the small boxes aside
# A box of fewer ops than this at the top level does not keep the model closed: a trace of a first step records
# beside the step each function TensorFlow ran eagerly meanwhile (the input pipeline's datasets, a loaded
# SavedModel's weights read out, the checkpoint's file names), thirty boxes of two to six ops. Nor do ops at the
# top level: a tf_keras fit graph's loss and metrics are twenty to thirty of them (`Sum`, `div_no_nan_1`, `AddN`)
# beside the model's one box.
SMALL_BOX_OPS = 16
# Past ``pipeline.TOP_LEVEL_AS_IS_NODES`` nodes, a graph's first view shows its top level as it is: a trace's step
# box opens with a click. (The summary, shapes and types included, cost five times as much; the first view waited
# for it, and opened only up to 50k.) The first answer's tree relies on it: the model's groups wait there too.


def first_opened(analysis) -> list[str]:
    """The groups to open, outermost first: each scope on the path to the one every layer shares that is a
    group of the tree (not a bucket, a series or an area); empty when the layers share none, or for the graphs
    above."""
    tree = analysis.tree
    if analysis.graph.node_count > pipeline.TOP_LEVEL_AS_IS_NODES:
        return []
    groups, _ = tree.children(scopes.ROOT)
    if any(group in tree.buckets for group in groups):
        # A top level of more than BUCKET_THRESHOLD children (a wide Keras model's layers) shows them already, and a
        # group inside a bucket is on no path this opens: the layers are not looked for (0.26 s at 200k nodes).
        return []
    shown = [g for g in groups if analysis.area_of_group(g) is None and tree.size_of(g) >= SMALL_BOX_OPS]
    if not shown or len(shown) > MAX_TOP_LEVEL_BOXES:
        return []
    # The inputs aside: TF1 code feeds a model made in a scope of its own from the level above (``graph_1/x``
    # read by ``graph_1/model``), and the summary lists them first; the model's scope is still the one to open.
    graph = analysis.graph
    names = [
        name
        for name in layers.layer_names(analysis)
        if name not in graph.index or graph.ops[graph.index[name]] not in layers.INPUT_OPS
    ]
    if not names:
        return []
    scope = layers.shared_scope(names)
    # One layer holding every other (GPT-2's ``model``, its blocks inside): its box, closed, shows nothing of them.
    listed = set(names)
    outermost = [name for name in names if not any(p in listed for p in layers.holding_scopes(name))]
    if len(names) > 1 and len(outermost) == 1 and tree.is_group(outermost[0]):
        scope = outermost[0] + "/"
    opened: list[str] = []
    parts = scope.rstrip("/").split("/") if scope else []
    for depth in range(1, len(parts) + 1):
        group = "/".join(parts[:depth])
        if not tree.is_group(group) or tree.group_parent.get(group) != (opened[-1] if opened else scopes.ROOT):
            break  # folded, bucketed or moved: the path is not the tree's
        opened.append(group)
    return opened
