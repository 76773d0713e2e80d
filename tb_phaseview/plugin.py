"""The TensorBoard plugin: routes only. Parses query parameters, asks the analysis, answers JSON."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import mimetypes
import os
import threading
import time

from tensorboard import errors as tb_errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin
from werkzeug import wrappers, wsgi

from tb_phaseview.analysis import colours, diff, functions, overrides
from tb_phaseview.analysis.graph_model import NodeDefUnreadable
from tb_phaseview.analysis.pipeline import analyze, collect_garbage_when_idle, garbage_collector_paused, with_model
from tb_phaseview.read import graph_source, metadata
from tb_phaseview.serve import regex_search, summary_table, wire
from tb_phaseview.serve.cache import AnalysisCache

logger = logging.getLogger(__name__)
STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
# The module TensorBoard's page imports to open the tab (frontend_metadata): the first request of every visit.
ENTRY_MODULE = "index.js"
# How long a first visit's run listing may spend reading graphs to pick the one to open (each read is cached,
# so the picked graph then opens at once).
FIRST_VISIT_BUDGET_S = 3.0
# Estimated bytes a cached analysis holds per node (of the graph or of its function library) and per edge, plus
# its blob: the memory budget's estimate (graph_source.estimated_bytes).
BYTES_PER_ELEMENT = graph_source.BYTES_PER_NODE
BYTES_PER_EDGE = graph_source.BYTES_PER_EDGE
# A variant with ops moved to the model shares the graph; it holds its own tree, display names and edge kinds.
VARIANT_BYTES_PER_NODE = 300
VARIANT_BYTES_PER_EDGE = 60
# Variants kept per graph: the one on screen and the one before it (a move and its undo are both at hand).
MAX_MODEL_VARIANTS = 2
# Characters that could end a string in an HTML or script context, written as JSON escapes: the answers are
# served as application/json with nosniff anyway, so this only matters to a client that misuses them.
_HTML_SENSITIVE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


class BadRequest(ValueError):
    pass


def _json_text(body) -> str:
    """JSON, ASCII-only, with no raw ``<``, ``>`` or ``&`` anywhere in it."""
    text = json.dumps(body, ensure_ascii=True)
    for char, escape in _HTML_SENSITIVE:  # three scans in C (str.translate looks up every character)
        text = text.replace(char, escape)
    return text


def _json(request, body, code=200):
    return http_util.Respond(request, _json_text(body), "application/json", code=code)


def _graph_answer_text(analysis, ref) -> str:
    """The graph answer, encoded once per analysis: the prefetch prepares it for the request that follows."""
    key = ("graph", ref["run"], ref["kind"], ref["tag"])

    def encode():
        started = time.perf_counter()
        text = _json_text(wire.graph_answer(analysis.first_view(), ref))
        logger.info(
            "phaseview: %s: first answer (%.1f MB) in %.2f s", ref, len(text) / 1e6, time.perf_counter() - started
        )
        return text

    return analysis.memo(key, encode)


def _route(handler):
    """Turn a handler's exceptions into clean JSON errors; a request never takes the server down."""

    @wrappers.Request.application
    def wrapped(self, request):
        try:
            # An answer builds many small objects, none in a cycle. With the collector running, its first
            # collection walked every object of a large analysis (built while it was paused): 0.9 s of the first
            # group opened at 1,000,000 nodes. ``_complete`` runs that walk in the background instead.
            with garbage_collector_paused():
                return handler(self, request)
        except (
            BadRequest,
            graph_source.GraphRejected,
            tb_errors.InvalidArgumentError,
            functions.CallsTooDeep,
        ) as error:
            return _json(request, wire.error_answer(str(error)), 400)
        except tb_errors.NotFoundError as error:  # the data provider lost what it just listed (a run deleted)
            return _json(request, wire.error_answer(str(error)), 404)
        except graph_source.GraphNotFound as error:
            return _json(request, wire.error_answer(str(error)), 404)
        except (graph_source.GraphUnreadable, NodeDefUnreadable) as error:  # corrupt, empty, or too large
            return _json(request, wire.error_answer(str(error)), 422)
        except regex_search.RegexBusy as error:
            return _json(request, wire.error_answer(str(error)), 503)
        except Exception as error:  # noqa: BLE001 - the server must keep serving whatever one graph does
            logger.exception("phaseview: %s failed", request.path)
            return _json(request, wire.error_answer(f"internal error: {type(error).__name__}: {error}"), 500)

    return wrapped


def _int_param(request, name, default, low, high):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"query parameter {name!r} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"query parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def _graph_ref(request, suffix: str = "") -> dict:
    """The graph named by ``run``/``kind``/``tag`` (with ``suffix``: ``run_b``/``kind_b``/``tag_b``, a second one)."""
    run = request.args.get("run" + suffix)
    if not run:
        raise BadRequest(f"query parameter 'run{suffix}' is required")
    tag = request.args.get("tag" + suffix) or None
    kind = request.args.get("kind" + suffix) or (metadata.RUN_GRAPH if tag is None else None)
    if kind not in metadata.GRAPH_KINDS:
        raise BadRequest(
            f"query parameter 'kind{suffix}' must be one of {', '.join(metadata.GRAPH_KINDS)}, got {kind!r}"
        )
    if kind == metadata.RUN_GRAPH:
        tag = None
    elif tag is None:
        raise BadRequest(f"query parameter 'tag{suffix}' is required for kind {kind!r}")
    return {"run": run, "kind": kind, "tag": tag}


def _model_param(request, suffix: str = "") -> tuple[str, ...]:
    """``model``: a JSON list of op and scope names the user moved to the model (absent or empty: none);
    ``model_b`` with ``suffix="_b"`` (the second graph of a comparison)."""
    name = "model" + suffix
    raw = request.args.get(name)
    if not raw:
        return ()
    try:
        return overrides.normalise(json.loads(raw))
    except (ValueError, RecursionError) as error:  # bad or deeply nested JSON, or not a short list of names
        message = str(error) if isinstance(error, overrides.BadEntries) else "it is not JSON"
        raise BadRequest(f"query parameter '{name}' must be a JSON list of names: {message}") from None


# Seconds between sending the first answer and starting the background completion. On two cores, a completion
# started at once took a core from the browser while it parsed and drew the answer: at 200k nodes the browser's
# part after the answer arrived varied from 0.09 to 0.34 s; with the wait, 0.08 to 0.13 s.
COMPLETION_DELAY_S = 0.5


# At most this long a response keeps the collector paused (a client that never closes it; a slow one gets its
# collection while the rest is sent, a fraction of a second).
SENDING_HOLD_S = 5.0


def _collector_paused_until_sent(response) -> None:
    """Keep the cyclic collector paused until the response is sent. Once the pause around the handler ends, the
    first allocation runs a collection of everything made while it lasted (the analysis and its answer, all still
    young): 0.03 s at 200k nodes and 0.17 s at 1M, in this thread, before the first answer's bytes went out."""
    stack = contextlib.ExitStack()
    stack.enter_context(garbage_collector_paused())
    once = threading.Lock()

    def release() -> None:
        if once.acquire(blocking=False):
            stack.close()

    response.call_on_close(release)
    timer = threading.Timer(SENDING_HOLD_S, release)
    timer.name, timer.daemon = "phaseview-sending", True
    timer.start()


def _start_completion(analysis) -> None:
    timer = threading.Timer(COMPLETION_DELAY_S, _complete, args=(analysis,))
    timer.name, timer.daemon = "phaseview-complete", True
    timer.start()


def _complete(analysis) -> None:
    try:
        analysis.complete()
        with garbage_collector_paused():
            wire.prepare_group_answers(analysis)
    except Exception:  # noqa: BLE001 - a request that needs the parts will build them itself, or report why
        logger.exception("phaseview: completing an analysis in the background failed")
    # The analysis was built with the collector paused, so its objects are all still young: the first collection
    # after it walks every one of them (0.9 s at 1,000,000 nodes). Done here, once no request is being answered,
    # it is not done in a request.
    collect_garbage_when_idle()


def _group_id_chars(analysis) -> int:
    """Characters of the tree's group ids, without building the whole tree: while only the first answer's is
    built (the initialisers' area's groups wait), scaled up by the ops that tree leaves out."""
    first = analysis.tree_so_far
    if analysis.tree_built or first is None:  # built, or being built by another thread: wait for it
        return analysis.tree.group_id_chars()
    nodes = analysis.graph.node_count
    kept = nodes - first.top_sizes().get(analysis.areas.get("init", ""), 0)
    return first.group_id_chars() * nodes // max(1, kept)


def _weigh_variant(analysis) -> int:
    graph = analysis.graph
    return (
        VARIANT_BYTES_PER_NODE * graph.node_count
        + VARIANT_BYTES_PER_EDGE * graph.edge_count
        + _group_id_chars(analysis)
    )


def _weigh(analysis) -> int:
    # Group ids are strings of their own (a deep name scope holds one per level, each a prefix of the name).
    ids = _group_id_chars(analysis)
    graph = analysis.graph
    function_nodes = sum(len(f.node_def) for f in graph.functions.values())
    return graph_source.estimated_bytes(graph.node_count + function_nodes, graph.edge_count, analysis.blob_bytes) + ids


class PhaseViewPlugin(base_plugin.TBPlugin):
    plugin_name = metadata.PLUGIN_NAME

    def __init__(self, context):
        self._provider = context.data_provider
        # Unreadable graphs are remembered per logged version: asking again for a corrupt or oversized graph is free.
        self._cache = AnalysisCache(remember=(graph_source.GraphUnreadable,))
        # Held while a visit's entry request looks for a sole graph to read: a burst of page loads starts one look.
        self._entry_prefetch = threading.Lock()
        # (kind, blob key, step, wall time) -> wire.first_visit_rank: two small numbers per graph, kept after its analysis is
        # dropped from the cache.
        self._ranks: dict = {}

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/" + ENTRY_MODULE, tab_name=metadata.TAB_NAME)

    def is_active(self):
        return False  # activity comes from data_plugin_names: the tab shows when any graph is logged

    def data_plugin_names(self):
        return tuple(metadata.GRAPH_KINDS.values())

    def get_plugin_apps(self):
        apps = {
            "/runs": self._serve_runs,
            "/graph": self._serve_graph,
            "/group": self._serve_group,
            "/node": self._serve_node,
            "/search": self._serve_search,
            "/edges": self._serve_edges,
            "/phase_runs": self._serve_phase_runs,
            "/why": self._serve_why,
            "/summary": self._serve_summary,
            "/colours": self._serve_colours,
            "/compare": self._serve_compare,
        }
        # Only files that exist in the built static folder get a route, so no parameter can name another.
        if os.path.isdir(STATIC_DIR):
            for entry in os.listdir(STATIC_DIR):
                if os.path.isfile(os.path.join(STATIC_DIR, entry)) and not entry.startswith("."):
                    apps["/" + entry] = self._static_app(entry)
        if "/" + ENTRY_MODULE in apps:
            apps["/" + ENTRY_MODULE] = self._opening_tab(apps["/" + ENTRY_MODULE])
        return apps

    # -- helpers ---------------------------------------------------------------------------------------

    def _static_app(self, filename):
        path = os.path.join(STATIC_DIR, filename)
        mime = "text/javascript" if filename.endswith(".js") else (mimetypes.guess_type(filename)[0] or "text/plain")
        # Compressed once per version of the file (a rebuild changes its mtime), not on every page load: the
        # app's files are fetched while the server reads the first graph, on the same two cores.
        compressed = {}

        @wrappers.Request.application
        def serve(request):
            version = os.stat(path).st_mtime_ns
            body = compressed.get(version)
            if body is None:
                with open(path, "rb") as f:
                    body = gzip.compress(f.read(), compresslevel=6, mtime=0)
                compressed.clear()
                compressed[version] = body
            return http_util.Respond(request, body, mime, content_encoding="gzip")

        return serve

    def _context(self, request):
        return plugin_util.context(request.environ), plugin_util.experiment_id(request.environ)

    def _analysis(self, request, ref):
        ctx, experiment = self._context(request)
        return self._analysis_in(ctx, experiment, ref, _model_param(request))

    def _analysis_in(self, ctx, experiment, ref, model: tuple[str, ...] = ()):
        """The analysis of a logged graph; with ``model``, the variant with those ops moved to the model."""
        try:
            version = graph_source.find_logged_graph(self._provider, ctx, experiment, ref)
        except graph_source.GraphNotFound:
            runs = {r.run_name for r in self._provider.list_runs(ctx, experiment_id=experiment)}
            if ref["run"] not in runs:
                raise graph_source.GraphNotFound(f"unknown run {ref['run']!r}") from None
            raise

        def compute():
            started = time.perf_counter()
            blob = graph_source.read_blob(self._provider, ctx, version[0], ref)
            read = time.perf_counter()
            # Reading builds as many lists and tuples as the analysis, none in a cycle (analysis.py).
            with garbage_collector_paused():
                # Size limits are checked on the bytes, before any node is built (graph_source.load_graph).
                graph = graph_source.load_graph(ref["kind"], blob)
                parsed = time.perf_counter()
                try:
                    analysis = analyze(graph)
                    logger.info(
                        "phaseview: %s: %.1f MB read from TensorBoard in %.2f s, parsed in %.2f s, analysed in %.2f s",
                        ref,
                        len(blob) / 1e6,
                        read - started,
                        parsed - read,
                        time.perf_counter() - parsed,
                    )
                except MemoryError:
                    raise  # may pass once memory frees up: not remembered
                except Exception as error:  # noqa: BLE001 - a graph the analysis cannot take fails alone, once
                    logger.exception("phaseview: analysing %s failed", ref)
                    raise graph_source.GraphUnanalysable(
                        f"the graph was read but could not be analysed ({type(error).__name__}: {error})"
                    ) from None
            analysis.blob_bytes = len(blob)
            return analysis

        # Keyed by the version logged (blob key, step, wall time), not the key alone: a graph logged again at the
        # same step (training re-run into the same logdir) is a new entry, and an old failure no longer answers.
        key = (ref["kind"], *version)
        base = self._cache.get_or_compute(key, compute, _weigh)
        if not model:
            return base
        return self._cache.get_or_compute(
            (*key, "model", model),
            lambda: with_model(base, model),
            _weigh_variant,
            parent=key,
            max_variants=MAX_MODEL_VARIANTS,
        )

    # -- routes ----------------------------------------------------------------------------------------

    @_route
    def _serve_runs(self, request):
        ctx, experiment = self._context(request)
        graphs = graph_source.list_graphs(self._provider, ctx, experiment)
        first = None
        if request.args.get("prefetch") == "first" and graphs:
            # With several graphs, the one to open is picked by reading them (its analysis is then cached).
            first = graphs[0] if len(graphs) == 1 else self._first_visit_graph(ctx, experiment, graphs)
            # The page opens it next: read it and prepare its answer now (the graph request then waits for this
            # rather than starting its own).
            threading.Thread(
                target=self._prefetch, args=(ctx, experiment, first), name="phaseview-prefetch", daemon=True
            ).start()
        configs = graph_source.runs_with_model_config_only(self._provider, ctx, experiment, graphs)
        return _json(request, wire.runs_answer(graphs, first, configs))

    def _first_visit_graph(self, ctx, experiment, graphs):
        """The graph a first visit opens: the best ``wire.first_visit_rank`` among the graphs read within
        FIRST_VISIT_BUDGET_S (earlier listed first on a tie). The winner's analysis is then in the cache."""
        deadline = time.monotonic() + FIRST_VISIT_BUDGET_S
        best, best_rank = graphs[0], None
        for ref in graphs:
            if best_rank is not None and time.monotonic() > deadline:
                break  # the rest are not ranked: a first visit must not wait for every graph of a large logdir
            rank = self._rank(ctx, experiment, ref)
            if best_rank is None or rank > best_rank:
                best, best_rank = ref, rank
        return best

    def _rank(self, ctx, experiment, ref):
        try:
            key = (ref["kind"], *graph_source.find_logged_graph(self._provider, ctx, experiment, ref))
            if key not in self._ranks:
                self._ranks[key] = wire.first_visit_rank(self._analysis_in(ctx, experiment, ref))
            return self._ranks[key]
        except (graph_source.GraphNotFound, graph_source.GraphUnreadable, graph_source.GraphRejected):
            return (-1, 0)  # the graph request reports why, if it is ever opened
        except Exception:  # noqa: BLE001 - a graph that cannot be ranked (a name the data server refuses) is no pick
            logger.exception("phaseview: ranking %s for a first visit failed", ref)
            return (-1, 0)

    def _opening_tab(self, serve_entry):
        def serve(environ, start_response):
            # Once the entry is sent, whatever the encoding (the analysis would hold the interpreter meanwhile).
            sent = serve_entry(environ, start_response)
            return wsgi.ClosingIterator(sent, lambda: self._start_sole_graph_prefetch(environ))

        return serve

    def _start_sole_graph_prefetch(self, environ) -> None:
        """The tab is opening: when the logdir holds one graph, every visit opens it, so start reading it now,
        before the page has even evaluated its entry module and asked for the run list (a first visit's own
        ``runs?prefetch=first`` then finds the work under way). With several graphs, which one opens depends on
        what the page restores (a link, a saved view), which the server cannot know yet: nothing starts."""
        if not self._entry_prefetch.acquire(blocking=False):
            return
        ctx, experiment = plugin_util.context(environ), plugin_util.experiment_id(environ)

        def look():
            try:
                graphs = graph_source.list_graphs(self._provider, ctx, experiment)
            except Exception:  # noqa: BLE001 - the run list request reports a provider that cannot list
                logger.exception("phaseview: listing graphs for the opening tab failed")
                graphs = []
            finally:
                self._entry_prefetch.release()
            if len(graphs) == 1:
                self._prefetch(ctx, experiment, graphs[0])

        try:
            threading.Thread(target=look, name="phaseview-prefetch", daemon=True).start()
        except RuntimeError:  # no thread to be had: the runs request reads the graph itself, as before
            self._entry_prefetch.release()

    def _prefetch(self, ctx, experiment, ref) -> None:
        try:
            # One pause from the read to the answer's text, as a request has (``_route``): between two pauses the
            # collector would walk everything the analysis made.
            with garbage_collector_paused():
                _graph_answer_text(self._analysis_in(ctx, experiment, ref), ref)
        except (graph_source.GraphNotFound, graph_source.GraphUnreadable, graph_source.GraphRejected):
            pass  # the graph request that follows reports it
        except Exception:  # noqa: BLE001 - a prefetch must never take the server down
            logger.exception("phaseview: prefetching %s failed", ref)

    @_route
    def _serve_graph(self, request):
        ref = _graph_ref(request)
        analysis = self._analysis(request, ref)
        response = http_util.Respond(request, _graph_answer_text(analysis, ref), "application/json")
        _collector_paused_until_sent(response)
        if analysis.claim_completion():
            # Once the answer is sent and the browser has drawn it, finish what later requests need (in a thread
            # of its own: this connection may carry the browser's next request). A request that needs a part
            # before then builds it itself.
            response.call_on_close(lambda: _start_completion(analysis))
        return response

    @_route
    def _serve_group(self, request):
        ref = _graph_ref(request)
        group = request.args.get("group", "")
        analysis = self._analysis(request, ref)
        try:
            return _json(request, wire.group_answer(analysis, group))
        except KeyError:
            raise graph_source.GraphNotFound(f"no group {group!r} in this graph") from None

    @_route
    def _serve_node(self, request):
        ref = _graph_ref(request)
        name = request.args.get("name")
        if name is None:
            raise BadRequest("query parameter 'name' is required")
        analysis = self._analysis(request, ref)
        try:
            return _json(request, wire.node_answer(analysis, name))
        except KeyError:
            raise graph_source.GraphNotFound(f"no node {name!r} in this graph") from None

    @_route
    def _serve_search(self, request):
        ref = _graph_ref(request)
        query = request.args.get("q", "")
        if not query:
            raise BadRequest("query parameter 'q' is required")
        regex = request.args.get("regex", "0") in ("1", "true")
        limit = _int_param(request, "limit", 50, 1, wire.SEARCH_LIMIT_MAX)
        analysis = self._analysis(request, ref)
        try:
            return _json(request, wire.search_answer(analysis, query, regex, limit))
        except ValueError as error:
            raise BadRequest(str(error)) from None

    @_route
    def _serve_edges(self, request):
        ref = _graph_ref(request)
        offset = _int_param(request, "offset", 0, 0, 1 << 40)
        limit = _int_param(request, "limit", 10_000, 1, wire.EDGES_LIMIT_MAX)
        return _json(request, wire.edges_answer(self._analysis(request, ref), offset, limit))

    @_route
    def _serve_phase_runs(self, request):
        ref = _graph_ref(request)
        analysis = self._analysis(request, ref)
        # Resolved on the first request for it (the first view does not wait for it), then kept.
        return _json(request, analysis.memo(("phase_runs_answer",), lambda: wire.phase_runs_answer(analysis)))

    @_route
    def _serve_summary(self, request):
        ref = _graph_ref(request)
        analysis = self._analysis(request, ref)
        # Made on the first request for it (the first view does not wait for it), then kept.
        return _json(request, {"version": wire.VERSION, **summary_table.summary_entry(analysis, ref)})

    @_route
    def _serve_colours(self, request):
        ref = _graph_ref(request)
        group = request.args.get("group", "")
        by = request.args.get("by", "")
        analysis = self._analysis(request, ref)
        try:
            return _json(
                request, analysis.memo(("colours", group, by), lambda: colours.colour_answer(analysis, group, by))
            )
        except ValueError as error:
            raise BadRequest(str(error)) from None
        except KeyError:
            raise graph_source.GraphNotFound(f"no group {group!r} in this graph") from None

    @_route
    def _serve_compare(self, request):
        ref_a, ref_b = _graph_ref(request), _graph_ref(request, "_b")
        # Each side with the user's moves of that graph (``model``, ``model_b``): the diff leaves machinery out, so
        # a scope the classifier filed in the machinery and the user moved back is compared as the model it is.
        model_a, model_b = _model_param(request), _model_param(request, "_b")
        ctx, experiment = self._context(request)
        a, b = self._analysis_in(ctx, experiment, ref_a, model_a), self._analysis_in(ctx, experiment, ref_b, model_b)
        sides = [{**ref, "model": list(model)} if model else ref for ref, model in ((ref_a, model_a), (ref_b, model_b))]
        answer = diff.diff_json(diff.compare(a, b), *sides)
        return _json(request, {"version": wire.VERSION, **answer})

    @_route
    def _serve_why(self, request):
        ref = _graph_ref(request)
        a = request.args.get("a")
        if not a:
            raise BadRequest("query parameter 'a' is required (a node or group name)")
        b = request.args.get("b") or None
        view = request.args.get("view", "0") in ("1", "true")
        analysis = self._analysis(request, ref)
        try:
            return _json(request, wire.why_answer(analysis, a, b, view))
        except KeyError as error:
            raise graph_source.GraphNotFound(f"no node or group {error.args[0]!r} in this graph") from None
