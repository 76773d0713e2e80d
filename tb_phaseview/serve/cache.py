"""A bounded, thread-safe cache of graph analyses keyed by graph blob.

Bounded by an estimate of the memory it holds (``weigh``: bytes), not by entry count alone, so a few huge
graphs cannot exhaust the server. Concurrent requests for the same graph wait for one analysis instead of
each parsing it, and at most ``max_computing`` analyses run at once, so a burst of requests for many
different graphs cannot hold many half-built analyses in memory together. Failures (a corrupt or oversized
graph) are remembered too, in a small bounded table, so asking again costs nothing.

An entry may be the variant of another (``parent``: the analysis with ops the user moved to the model is a
variant of the graph's own): it is counted and evicted like any entry, at most ``max_variants`` are kept per
parent (the oldest goes first), and evicting the parent evicts its variants, which share its graph.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

# Estimated bytes held at once, as plugin._weigh estimates each graph: about 1.2 KB per node, 250 bytes per edge,
# plus its serialised size. By default the memory budget (graph_source), so that any graph the budget lets in is
# kept once analysed.
_CACHE_BYTES = os.environ.get("TB_PHASEVIEW_CACHE_BYTES")
DEFAULT_MAX_BYTES = int(_CACHE_BYTES) if _CACHE_BYTES else None
DEFAULT_MAX_ENTRIES = 32
DEFAULT_MAX_COMPUTING = int(os.environ.get("TB_PHASEVIEW_MAX_PARALLEL_ANALYSES", "2"))
MAX_REMEMBERED_ERRORS = 256


class AnalysisCache:
    def __init__(
        self,
        max_weight: int = DEFAULT_MAX_BYTES,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_computing: int = DEFAULT_MAX_COMPUTING,
        remember=(Exception,),
    ):
        if max_weight is None:
            from tb_phaseview.read.graph_source import memory_budget  # imports TensorBoard: not at this module's import

            max_weight = memory_budget()
        self.max_weight = max_weight
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()  # key -> (value, weight)
        self._errors: OrderedDict = OrderedDict()  # key -> exception raised computing it
        self._remember = tuple(remember)
        self._weight = 0
        self._lock = threading.Lock()
        self._in_flight: dict = {}  # key -> lock held while one thread computes it
        self._computing = threading.BoundedSemaphore(max(1, max_computing))
        self._variants: dict = {}  # parent key -> its variants' keys, oldest first
        self._parent_of: dict = {}  # variant key -> parent key

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_compute(self, key, compute, weigh, parent=None, max_variants: int = 2):
        while True:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key][0]
                if key in self._errors:
                    raise self._errors[key]
                flight = self._in_flight.get(key)
                if flight is None:
                    flight = self._in_flight[key] = threading.Lock()
                    flight.acquire()
                    owner = True
                else:
                    owner = False
            if owner:
                break
            with flight:  # wait for the computing thread, then look again
                pass
        try:
            with self._computing:
                try:
                    value = compute()
                except self._remember as error:
                    self._store_error(key, error)
                    raise
            self._store(key, value, weigh(value), parent, max_variants)
            return value
        finally:
            with self._lock:
                del self._in_flight[key]
            flight.release()

    def _store_error(self, key, error) -> None:
        with self._lock:
            self._errors[key] = error
            while len(self._errors) > MAX_REMEMBERED_ERRORS:
                self._errors.popitem(last=False)

    def _store(self, key, value, weight: int, parent=None, max_variants: int = 2) -> None:
        with self._lock:
            if weight > self.max_weight:
                return  # served once, never kept: it would evict everything else
            if parent is not None:
                if parent not in self._entries:
                    return  # served once: a variant is never kept without what it shares
                siblings = self._variants.setdefault(parent, [])
                siblings.append(key)
                self._parent_of[key] = parent
                while len(siblings) > max(1, max_variants):
                    self._drop(siblings[0])
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self.max_weight or len(self._entries) > self.max_entries:
                self._drop(next(iter(self._entries)))

    def _drop(self, key) -> None:
        """Evicts an entry and its variants (the lock held)."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._weight -= entry[1]
        for variant in self._variants.pop(key, ()):
            self._parent_of.pop(variant, None)
            dropped = self._entries.pop(variant, None)
            if dropped is not None:
                self._weight -= dropped[1]
        parent = self._parent_of.pop(key, None)
        if parent is not None:
            siblings = self._variants.get(parent)
            if siblings and key in siblings:
                siblings.remove(key)
