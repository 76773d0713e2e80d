"""Build logdirs with broken files next to good ones, from demo_logs' real event files."""

from __future__ import annotations

import glob
import os
import shutil

from tensorboard.compat.proto import event_pb2, graph_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from demo import DEMO_LOGS


def copy_run(logdir, run, as_name=None):
    shutil.copytree(os.path.join(DEMO_LOGS, run), os.path.join(logdir, as_name or run))


def event_file(run_dir):
    (path,) = glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))
    return path


def write_events(run_dir, events):
    writer = EventFileWriter(str(run_dir))
    for event in events:
        writer.add_event(event)
    writer.close()


def write_records(run_dir, payloads, name_suffix="records"):
    """An event file of raw records (correct length and data checksums) with any bytes as payloads; its name sorts
    after the run's other event files when ``name_suffix`` does."""
    from tensorboard.summary.writer.record_writer import RecordWriter

    path = os.path.join(str(run_dir), f"events.out.tfevents.9999999999.{name_suffix}")
    with open(path, "wb") as f:
        writer = RecordWriter(f)
        for payload in payloads:
            writer.write(payload)
    return path


def broken_logdir(root) -> str:
    """A logdir with one good run and four broken ones."""
    logdir = os.path.join(root, "logs")
    os.makedirs(logdir)
    copy_run(logdir, "dropout_cnn")
    # Cut in the middle of the graph record.
    copy_run(logdir, "resnet_tf_keras", "truncated")
    path = event_file(os.path.join(logdir, "truncated"))
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    # Not an event file at all.
    os.makedirs(os.path.join(logdir, "garbage"))
    with open(os.path.join(logdir, "garbage", "events.out.tfevents.1.garbage"), "wb") as f:
        f.write(os.urandom(4096))
    # A well-formed event whose GraphDef bytes are not a GraphDef.
    write_events(os.path.join(logdir, "bad_graph"), [event_pb2.Event(wall_time=1.0, graph_def=b"\xff\xff\xff\x07junk")])
    # An empty event file.
    os.makedirs(os.path.join(logdir, "empty"))
    open(os.path.join(logdir, "empty", "events.out.tfevents.2.empty"), "wb").close()
    return logdir


# attr {"x": placeholder: b"\xff\xfe"}
NOT_UTF8_PLACEHOLDER = bytes([0x2A, 9, 0x0A, 1, ord("x"), 0x12, 4, 0x4A, 2, 0xFF, 0xFE])
# attr {"x": func {name: b"\xff\xfe"}}: a function named by bytes that are not UTF-8
NOT_UTF8_FUNCTION = bytes([0x2A, 11, 0x0A, 1, ord("x"), 0x12, 6, 0x52, 4, 0x0A, 2, 0xFF, 0xFE])


def corrupt_attribute_blob(graph_def, victim: str, bad_attr: bytes = NOT_UTF8_PLACEHOLDER) -> bytes:
    """The GraphDef's bytes with one more attribute on ``victim`` whose string is not UTF-8 (a full parse
    rejects the whole graph for it)."""
    out = graph_pb2.GraphDef()
    out.CopyFrom(graph_def)
    del out.node[:]
    blob = out.SerializeToString()
    for node in graph_def.node:
        body = node.SerializeToString() + (bad_attr if node.name == victim else b"")
        blob += b"\x0a" + varint(len(body)) + body
    return blob


def varint(n: int) -> bytes:
    """A protobuf base-128 varint, for writing messages by hand."""
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)
