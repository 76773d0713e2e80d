"""A bounded, thread-safe cache of graph analyses keyed by graph blob.

Bounded by the total number of nodes and edges it holds (a proxy for memory), not by entry count alone, so
a few huge graphs cannot exhaust the server. Concurrent requests for the same graph wait for one analysis
instead of each parsing it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

DEFAULT_MAX_WEIGHT = 3_000_000  # nodes + edges held at once (about 1.5 GB at the worst observed ratio)
DEFAULT_MAX_ENTRIES = 32


class AnalysisCache:
    def __init__(self, max_weight: int = DEFAULT_MAX_WEIGHT, max_entries: int = DEFAULT_MAX_ENTRIES):
        self.max_weight = max_weight
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()  # key -> (value, weight)
        self._weight = 0
        self._lock = threading.Lock()
        self._in_flight: dict = {}  # key -> lock held while one thread computes it

    @property
    def weight(self) -> int:
        return self._weight

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_compute(self, key, compute, weigh):
        while True:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key][0]
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
            value = compute()
            self._store(key, value, weigh(value))
            return value
        finally:
            with self._lock:
                del self._in_flight[key]
            flight.release()

    def _store(self, key, value, weight: int) -> None:
        with self._lock:
            if weight > self.max_weight:
                return  # served once, never kept: it would evict everything else
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self.max_weight or len(self._entries) > self.max_entries:
                _, (_, old_weight) = self._entries.popitem(last=False)
                self._weight -= old_weight
