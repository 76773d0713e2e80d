"""A user who disagrees with the roles moves an op or a scope to the model (``overrides.py``): the analysis, every
route of a real TensorBoard server and the CLI answer with the move, and without it exactly as before."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from tb_phaseview.analysis import overrides, roles
from tb_phaseview.analysis.pipeline import with_model
from tb_phaseview.serve import wire
from tb_phaseview.serve.cache import AnalysisCache
from test_cli import run_cli

SLOT = "generator/project/kernel/Adam"  # an Adam slot variable of the DCGAN: the optimizer's state


def moved(graph, *entries):
    return with_model(graph.analysis, overrides.normalise(list(entries)))


def area_sizes(analysis):
    return {area["role"]: area["size"] for area in wire.graph_answer(analysis, REF)["areas"]}


REF = {"run": "roles_dcgan", "kind": "run_graph", "tag": None}


def test_moving_the_save_scope_draws_every_checkpoint_op_in_the_model(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    base = dcgan.analysis
    below = [i for i, name in enumerate(base.graph.names) if name.startswith("save/")]
    machinery = [i for i in below if base.roles.codes[i] in roles.MACHINERY]
    assert len(machinery) > 30  # one restore per variable, the saver's ops
    after = moved(dcgan, "save//")  # a trailing "/" names the scope
    assert after.moved.entries == ("save/",)
    assert set(after.moved.nodes) == set(machinery)
    for i in below:
        assert after.roles.name_of(i) == "model"
        assert after.path_of_node(i)[0] == "save"  # drawn under its own name, out of the area
    counts, before = after.node_roles, base.node_roles
    assert counts["model"] == before["model"] + len(machinery)
    assert counts["save"] == before["save"] - sum(base.roles.codes[i] == roles.SAVE for i in machinery)
    # The checkpoints' area held only ops of that scope: it is gone, and the areas' counts follow the roles.
    assert "save" in area_sizes(base) and "save" not in area_sizes(after)
    answer = wire.graph_answer(after, REF)
    root = {c["name"]: c for c in answer["root"]["children"]}
    assert root["save"]["moved"] == "save/" and "area" not in root["save"]
    # Inside, each sub-scope holding an op that was moved says so (one holding only model ops would not).
    inside = [c for c in wire.group_answer(after, "save")["children"] if c["type"] == "group"]
    assert inside
    for group in inside:
        held = [i for i in machinery if group["name"] in after.path_of_node(i)]  # a numbered series' too
        assert group.get("moved") == ("save/" if held else None), group["name"]
    assert answer["moved"] == {
        "entries": [{"name": "save/", "ops": len(machinery), "roles": dict(_classified(base, machinery))}],
        "ops": len(machinery),
    }
    assert sum(answer["node_roles"].values()) == base.graph.node_count
    # The node answer and the why answer say it was moved, and what the classifier had said.
    restore = base.graph.index["save/Assign_3"]
    node = wire.node_answer(after, "save/Assign_3")
    assert node["role"] == "model" and node["moved_from"] == "save" and node["moved_by"] == "save/"
    classifier = wire.node_answer(base, "save/Assign_3")["role_why"]
    assert node["role_why"] == f"moved to the model by you (with `save/`); PhaseView had it as save: {classifier}"
    assert after.role_why(restore) == node["role_why"]
    assert "moved_from" not in wire.node_answer(base, "save/Assign_3")
    # The classifier's roles are left as they were.
    assert base.roles.name_of(restore) == "save"


def _classified(base, nodes):
    found = {}
    for i in nodes:
        found[base.roles.name_of(i)] = found.get(base.roles.name_of(i), 0) + 1
    return sorted(found.items())


def test_moving_one_optimizer_slot_draws_it_in_its_layer(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    base = dcgan.analysis
    slot = base.graph.index[SLOT]
    assert base.roles.name_of(slot) == "optimizer"
    assert base.path_of_node(slot)[0] == base.areas["optimizer"]
    after = moved(dcgan, SLOT)
    # The op alone: its initialiser, its read and its updates stay the machinery's.
    assert after.moved.nodes == {slot: SLOT}
    assert after.roles.name_of(slot) == "model"
    assert after.path_of_node(slot) == ["generator", "generator/project", "generator/project/kernel"]
    assert area_sizes(after)["optimizer"] == area_sizes(base)["optimizer"] - 1
    children = {c["name"]: c for c in wire.group_answer(after, "generator/project/kernel")["children"]}
    assert children[SLOT]["type"] == "op" and children[SLOT]["role"] == "model" and children[SLOT]["moved"] == SLOT
    node = wire.node_answer(after, SLOT)
    assert node["role_why"].startswith("moved to the model by you; PhaseView had it as optimizer: ")
    # Its edges now leave a model op: the one into the optimizer's update is still the optimizer's.
    assert "optimizer" in {e["kind"] for e in node["outputs"]}
    # As a scope (the box the view draws for it holds the op of its name): the op and what TensorFlow wrote below
    # its name (its initialiser, its read).
    after = moved(dcgan, SLOT + "/")
    below = {i for i, name in enumerate(base.graph.names) if name.startswith(SLOT + "/")}
    assert below and after.moved.nodes == {i: SLOT + "/" for i in below | {slot}}
    lost = {
        role: sum(base.roles.area_codes[i] == roles.ROLE_CODES[role] for i in below | {slot})
        for role in ("init", "optimizer")
    }
    assert area_sizes(after)["optimizer"] == area_sizes(base)["optimizer"] - lost["optimizer"] > 0
    assert area_sizes(after)["init"] == area_sizes(base)["init"] - lost["init"]
    children = {c["name"]: c for c in wire.group_answer(after, "generator/project/kernel")["children"]}
    assert children[SLOT]["type"] == "group" and children[SLOT]["moved"] == SLOT + "/"
    assert wire.node_answer(after, SLOT)["role_why"].startswith(
        f"moved to the model by you (with `{SLOT}/`); PhaseView had it as optimizer: "
    )


def test_moving_nothing_or_names_that_match_nothing_changes_nothing(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    base = dcgan.analysis
    after = moved(dcgan, "no_such_scope", "d_loss")  # a model op: nothing to move
    assert after.moved.nodes == {}
    assert after.roles.codes == base.roles.codes and after.kinds == base.kinds
    assert wire.graph_answer(after, REF)["moved"]["entries"] == [
        {"name": "d_loss", "ops": 0, "roles": {}},
        {"name": "no_such_scope", "ops": 0, "roles": {}},
    ]


def test_names_are_checked_and_made_canonical():
    assert overrides.normalise(["b//", "a", "b", "", "/"]) == ("a", "b", "b/")
    with pytest.raises(overrides.BadEntries):
        overrides.normalise("save")
    with pytest.raises(overrides.BadEntries):
        overrides.normalise([1])
    with pytest.raises(overrides.BadEntries):
        overrides.normalise([f"n{i}" for i in range(overrides.MAX_ENTRIES + 1)])
    # An op entry names that op alone, a scope entry its op and what is below it (the deepest scope wins); a name
    # that only starts like a scope is not below it.
    names = ["save", "save/a", "save/a/b", "saver/x", "x/save/y", "g", "g/read", "s/t/u"]
    found = overrides.named_nodes(names, ("save/", "save/a", "g", "s/", "s/t/"))
    assert found == {0: "save/", 1: "save/a", 2: "save/", 5: "g", 7: "s/t/"}


def _get(server, route, **params):
    return server.get(f"/data/plugin/phaseview/{route}?" + urllib.parse.urlencode({**REF_Q, **params}))


REF_Q = {"run": "roles_dcgan", "kind": "run_graph"}


def test_every_route_answers_with_the_move(roles_graphs, start_server):
    dcgan = roles_graphs["roles_dcgan"]
    model = json.dumps(["save/"])
    for load_fast in ("true", "false"):
        server = start_server(dcgan.logdir, load_fast=load_fast)
        status, plain = _get(server, "graph")
        assert status == 200 and "moved" not in plain
        status, graph = _get(server, "graph", model=model)
        assert status == 200
        assert graph["moved"]["entries"][0]["name"] == "save/"
        assert graph["node_roles"]["save"] == 0 and "save" not in {a["role"] for a in graph["areas"]}
        assert {c["name"] for c in graph["root"]["children"]} >= {"save"}
        status, group = _get(server, "group", group="save", model=model)
        assert status == 200 and any(c.get("moved") == "save/" for c in group["children"])
        status, _ = _get(server, "group", group="save")  # without the move, the scope is in the area
        assert status == 404
        status, node = _get(server, "node", name="save/Assign_3", model=model)
        assert status == 200 and node["role"] == "model" and node["moved_from"] == "save"
        assert node["path"] == ["save", "save/Assign_[1-34]"]  # drawn in the model, in its numbered series
        status, why = _get(server, "why", a="save/Assign_3", model=model)
        assert status == 200 and why["a"]["role"] == "model"
        assert why["a"]["role_why"].startswith("moved to the model by you")
        status, found = _get(server, "search", q="RestoreV2", model=model)
        assert status == 200 and found["matches"]
        assert all(m["path"][:1] == ["save"] for m in found["matches"])
        status, runs = _get(server, "phase_runs", model=model)
        assert status == 200
        status, summary = _get(server, "summary", model=model)
        assert status == 200 and "layers" in summary
        for bad in ("save", "[" * 3000, json.dumps([f"n{i}" for i in range(201)]), json.dumps([None])):
            status, error = _get(server, "graph", model=bad)
            assert status == 400 and "'model'" in error["error"]


def test_the_cli_takes_the_same_moves(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    result = run_cli("report", dcgan.logdir, "--json", "--nodes", "--model", "save/", "--model", SLOT)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)["graphs"][0]
    nodes = {n["name"]: n for n in entry["node_list"]}
    assert nodes["save/Assign_3"] == {"name": "save/Assign_3", "op": "Assign", "role": "model", "area": None}
    assert nodes[SLOT]["role"] == "model" and nodes[SLOT]["area"] is None
    assert [e["name"] for e in entry["moved_to_model"]["entries"]] == sorted(["save/", SLOT])
    plain = json.loads(run_cli("report", dcgan.logdir, "--json").stdout)["graphs"][0]
    assert "moved_to_model" not in plain and plain["node_roles"]["save"] > 0
    text = run_cli("why", dcgan.logdir, "save/Assign_3", "--model", "save/").stdout
    assert "role model: moved to the model by you (with `save/`); PhaseView had it as save: " in text


def test_variants_are_bounded_per_graph_and_leave_with_it():
    cache = AnalysisCache(max_weight=1000, max_entries=10)
    computed = []

    def get(key, parent=None):
        def compute():
            computed.append(key)
            return key

        return cache.get_or_compute(key, compute, lambda _: 10, parent=parent, max_variants=2)

    get("graph")
    for moves in ("a", "b", "c"):
        get(("graph", moves), parent="graph")
    assert len(cache) == 3  # the graph and its two latest variants
    computed.clear()
    get(("graph", "c"), parent="graph")
    get(("graph", "a"), parent="graph")
    assert computed == [("graph", "a")]  # the oldest had gone
    get(("other", "a"), parent="other")  # a variant whose graph is not kept is served, not kept
    assert len(cache) == 3
    small = AnalysisCache(max_weight=25, max_entries=10)
    small.get_or_compute("graph", lambda: 1, lambda _: 10)
    small.get_or_compute(("graph", "a"), lambda: 2, lambda _: 10, parent="graph")
    small.get_or_compute("next", lambda: 3, lambda _: 10)  # over the weight: the oldest, the graph, leaves
    assert len(small) == 1  # and its variant with it


def test_a_learning_rate_drawn_with_the_optimizer_moves_to_the_model_as_a_hyperparameter(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    base = dcgan.analysis
    name = "generator_train/Adam/learning_rate"
    index = base.graph.index[name]
    assert base.roles.name_of(index) == "hyperparameter" and base.path_of_node(index)[0] == base.areas["optimizer"]
    after = moved(dcgan, name)
    assert after.moved.nodes == {index: name}
    assert after.roles.name_of(index) == "hyperparameter"  # its role stays; it is drawn in the model
    assert after.path_of_node(index) == ["generator_train", "generator_train/Adam"]
    assert after.node_roles == base.node_roles
    node = wire.node_answer(after, name)
    assert node["moved_from"] == "hyperparameter"
    assert node["role_why"].startswith(
        "moved to the model by you; PhaseView had it as hyperparameter drawn with the optimizer: "
    )
