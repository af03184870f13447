"""What a scrape reads: the multiprocess folder's values (every process of this server, dead
ones' counters included), plus figures taken at scrape time — Pending tasks from the store and
worker processes alive from the process model — and the small HTTP server of a worker node."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ocrhive.metrics.processes import current_folder, drop_dead_processes


class _Folder(Collector):
    """Every process's values in the multiprocess folder, once dead processes' live gauges
    are dropped (so a killed worker stops counting as alive at the next scrape)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        # None: not registered anywhere, this collector is; the constructor is unannotated
        merged = MultiProcessCollector(None, str(folder))  # type: ignore[no-untyped-call]
        self._merged: Collector = merged

    def collect(self) -> Iterable[Metric]:
        drop_dead_processes(self._folder)
        return self._merged.collect()


class _ThisProcess(Collector):
    """Without a multiprocess folder (an app built in a test process): this process's values."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class _Pending(Collector):
    """Tasks waiting now, counted by the store at scrape time."""

    def __init__(self, count_pending: Callable[[], int]) -> None:
        self._count = count_pending

    def collect(self) -> Iterator[Metric]:
        try:
            value = float(self._count())
        except Exception:  # the store is away: no figure beats a wrong one
            return
        yield GaugeMetricFamily("ocrhive_tasks_pending", "Tasks waiting for a worker.", value)


class _Workers(Collector):
    """Worker processes alive and configured, as /health reports them."""

    def __init__(self, workers: Callable[[], tuple[int, int]]) -> None:
        self._workers = workers

    def collect(self) -> Iterator[Metric]:
        alive, configured = self._workers()
        yield GaugeMetricFamily("ocrhive_workers_alive", "Worker processes alive.", alive)
        yield GaugeMetricFamily(
            "ocrhive_workers_configured", "Worker processes this server runs.", configured
        )


def _base_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    folder = current_folder()
    registry.register(_Folder(folder) if folder is not None else _ThisProcess())
    return registry


def api_registry(
    count_pending: Callable[[], int], workers: Callable[[], tuple[int, int]] | None
) -> CollectorRegistry:
    """What an API process's ``/metrics`` shows: every process of the server, the queue depth
    and (when it knows them) its worker processes."""
    registry = _base_registry()
    registry.register(_Pending(count_pending))
    if workers is not None:
        registry.register(_Workers(workers))
    return registry


def serve_node_metrics(port: int, host: str = "127.0.0.1") -> None:
    """Serve a worker node's metrics on ``host:port`` from a thread of the calling process:
    the node's pool processes and sweeper, read from the multiprocess folder."""
    start_http_server(port, addr=host, registry=_base_registry())
