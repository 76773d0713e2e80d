"""Graphs read straight from model files: a GraphDef (``.pb`` binary, ``.pbtxt`` text, frozen or not), a ``.meta``
MetaGraphDef, or a SavedModel directory (``saved_model.pb`` holds one MetaGraphDef per tag set).

Read with protobuf and TensorBoard's copies of TensorFlow's protos only: no TensorFlow needed. TensorBoard has no
copy of the SavedModel message, so it is declared here with TensorFlow's field numbers.
"""

from __future__ import annotations

import os

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import graph_pb2, meta_graph_pb2

from tb_phaseview.read import graph_source, metadata

GRAPH_DEF = "graph_def"
META_GRAPH = "meta_graph"
SAVED_MODEL = "saved_model"
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
META_GRAPH_SUFFIXES = (".meta",)


def _saved_model_class():
    # tensorflow/core/protobuf/saved_model.proto: schema version 1, meta_graphs 2.
    file = descriptor_pb2.FileDescriptorProto(
        name="tb_phaseview/saved_model.proto",
        package="tb_phaseview.saved_model",
        syntax="proto3",
        dependency=[meta_graph_pb2.DESCRIPTOR.name],
    )
    message = file.message_type.add(name="SavedModel")
    message.field.add(
        name="saved_model_schema_version",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
    )
    message.field.add(
        name="meta_graphs",
        number=2,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED,
        type_name=".tensorboard.MetaGraphDef",
    )
    pool = descriptor_pool.Default()
    try:
        descriptor = pool.FindMessageTypeByName("tb_phaseview.saved_model.SavedModel")
    except KeyError:
        pool.AddSerializedFile(file.SerializeToString())
        descriptor = pool.FindMessageTypeByName("tb_phaseview.saved_model.SavedModel")
    return message_factory.GetMessageClass(descriptor)


SavedModel = _saved_model_class()


class ModelFileError(Exception):
    """The path is not a model file tb-phaseview reads, or it cannot be parsed."""


def saved_model_file(path: str) -> str | None:
    """The SavedModel proto of a SavedModel directory (or the file itself), else None."""
    if os.path.isdir(path):
        for name in SAVED_MODEL_FILES:
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        return None
    return path if os.path.basename(path) in SAVED_MODEL_FILES else None


def is_model_path(path: str) -> bool:
    """A model file or SavedModel directory (anything else is taken for a logdir)."""
    return os.path.isfile(path) or saved_model_file(path) is not None


def _read(path: str) -> bytes:
    """A model file's bytes, refused before reading when it is over the limit of logged graph bytes."""
    size = os.path.getsize(path)
    limit = graph_source.MAX_BLOB_BYTES
    if size > limit:
        raise ModelFileError(
            f"{path} is {size / 1e6:,.1f} MB and tb-phaseview reads model files of up to {limit / 1e6:,.0f} MB; "
            f"it was not read (set TB_PHASEVIEW_MAX_BLOB_BYTES to raise the limit)"
        )
    with open(path, "rb") as f:
        return f.read()


def _brief(error: Exception, limit: int = 300) -> str:
    """A parser's message, cut: it quotes the bad input, which may be megabytes of it."""
    text = str(error)[: limit + 1]
    text = "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))
    return text[:limit] + "..." if len(text) > limit else text


def _parse(message_class, path: str):
    data = _read(path)
    message = message_class()
    try:
        if path.endswith(".pbtxt"):
            text_format.Parse(data.decode("utf-8"), message)
        else:
            message.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError, text_format.ParseError) as error:
        kind = "text" if path.endswith(".pbtxt") else "binary"
        raise ModelFileError(f"{path} is not a {kind} {message_class.DESCRIPTOR.name} ({_brief(error)})") from None
    return message


def model_graphs(path: str) -> list[tuple[dict, bytes]]:
    """``(ref, serialised GraphDef)`` for each graph in a model file; raises ModelFileError saying why not."""
    saved_model = saved_model_file(path)
    if saved_model is not None:
        model = _parse(SavedModel, saved_model)
        if not model.meta_graphs:
            raise ModelFileError(f"{saved_model} holds no MetaGraphDef")
        graphs = []
        for i, meta_graph in enumerate(model.meta_graphs):
            tags = ",".join(meta_graph.meta_info_def.tags) or f"meta_graph_{i + 1}"
            graphs.append(({"run": path, "kind": SAVED_MODEL, "tag": tags}, meta_graph.graph_def.SerializeToString()))
        return graphs
    if path.endswith(META_GRAPH_SUFFIXES):
        meta_graph = _parse(meta_graph_pb2.MetaGraphDef, path)
        return [({"run": path, "kind": META_GRAPH, "tag": None}, meta_graph.graph_def.SerializeToString())]
    if path.endswith(".pb"):  # parsed by the graph reader itself, which says what is wrong with it
        return [({"run": path, "kind": GRAPH_DEF, "tag": None}, _read(path))]
    if path.endswith(".pbtxt"):
        graph_def = _parse(graph_pb2.GraphDef, path)
        return [({"run": path, "kind": GRAPH_DEF, "tag": None}, graph_def.SerializeToString())]
    raise ModelFileError(
        f"{path} is not a model file tb-phaseview reads (a GraphDef .pb or .pbtxt, a .meta "
        f"MetaGraphDef, or a SavedModel directory)"
    )


def not_a_model(path: str) -> dict | None:
    """Why a folder that looks like a model is not one (``{"path", "error"}``, the path relative to it), or None:
    read as a logdir, it would say nothing."""
    for name in SAVED_MODEL_FILES:
        candidate = os.path.join(path, name)
        if os.path.lexists(candidate) and not os.path.isfile(candidate):
            return {
                "path": name,
                "error": f"{name} is not a file (a folder?): this folder is not a SavedModel tb-phaseview reads",
            }
    name = os.path.basename(os.path.normpath(path))
    if name.endswith((".pb", ".pbtxt", *META_GRAPH_SUFFIXES)):
        return {"path": ".", "error": f"{name} is a folder, not a model file: read as a logdir, it holds no graph"}
    return None


def iter_model_graphs(path: str):
    """Yield ``(ref, graph, error)`` for each graph of a model file, like ``cli.iter_graphs`` for a logdir."""
    for ref, blob in model_graphs(path):
        try:
            yield ref, graph_source.load_graph(metadata.RUN_GRAPH, blob), None
        except graph_source.GraphUnreadable as error:
            yield ref, None, str(error)
