"""The ``ocrhive`` command: serve (API + workers), clients (register API clients), engines."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ocrhive.config import Settings
from ocrhive.errors import ConfigurationError


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the flags actually given."""
    overrides: dict[str, Any] = {
        key: value
        for key, value in vars(args).items()
        if key in Settings.model_fields and value is not None
    }
    return Settings(**overrides)


def _lock_data_dir(data_dir: Path) -> TextIO:
    """Hold an exclusive lock on the data folder for the life of the server."""
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = open(data_dir / "server.lock", "w")  # noqa: SIM115 (held until exit)
        # an older server left it world-readable; the umask only covers new files
        os.chmod(handle.fileno(), 0o600)
    except OSError as exc:
        raise ConfigurationError(
            f"The data folder {data_dir} cannot be used: {exc.strerror or exc}."
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigurationError(
            f"Another ocrhive server is already using the data folder {data_dir}."
        ) from None
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _app(settings: Settings, parts: Any, workers: Callable[[], tuple[int, int]]) -> Any:
    """The HTTP application over built components, with the operator's edge limits."""
    from ocrhive.api.app import create_app

    storage_state = getattr(parts.store, "storage_state", None)  # stores that can tell
    app = create_app(
        parts.service,
        parts.authenticator,
        max_body_bytes=int(settings.max_body_mb * 1024 * 1024),
        get_wait_seconds=settings.get_wait_seconds,
        workers=workers,
        storage=(lambda: storage_state().problems) if storage_state else None,
        trial_max_body_bytes=int(settings.trial_max_body_mb * 1024 * 1024),
        trial_submits_per_minute=settings.trial_submits_per_minute,
        trial_max_pending_per_address=settings.trial_max_pending_per_address,
        token_attempts_per_minute=settings.token_attempts_per_minute,
        webhooks=parts.webhooks,
        webhook_targets=parts.targets,
    )
    # the playground's language list marks what the workers can read
    app.state.model_dirs = (settings.models_dir,) if settings.models_dir else ()
    return app


def _run_http(settings: Settings, app: Any) -> None:
    import uvicorn

    from ocrhive.api.connections import uvicorn_options

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
        **uvicorn_options(
            max_connections=settings.max_connections,
            idle_timeout_seconds=settings.idle_timeout_seconds,
            trusted_proxies=settings.trusted_proxies,
        ),
    )


def _start_deliverer(settings: Settings, parts: Any) -> threading.Event:
    """Embedded mode delivers webhooks from a thread of the server process."""
    from ocrhive import composition

    stop = threading.Event()
    if parts.webhooks is not None:
        deliverer = composition.deliverer(settings, parts.store, parts.webhooks)
        threading.Thread(
            target=deliverer.run_forever, args=(stop,), name="webhooks", daemon=True
        ).start()
    return stop


def _nothing() -> None:
    return None


def _run_until_shutdown(settings: Settings, app: Any, *steps: Callable[[], object]) -> None:
    """Serve HTTP, then take ``steps`` in order, once: from the app's shutdown (uvicorn
    re-raises SIGTERM once it has stopped, so code after it does not run on a signal), or
    after serving ended any other way."""
    done = threading.Event()

    def shut_down() -> None:
        if not done.is_set():
            done.set()
            for step in steps:
                step()

    app.state.shutdown_hooks.append(shut_down)
    try:
        _run_http(settings, app)
    finally:
        shut_down()


def serve(settings: Settings) -> None:
    """Run the API and the worker processes until interrupted."""
    from ocrhive.logs import configure_logging

    configure_logging(settings.log_level)
    if settings.redis_url:
        _serve_distributed(settings)
        return
    from ocrhive import composition
    from ocrhive.embedded.broker import LocalBroker
    from ocrhive.embedded.supervisor import Supervisor, SupervisorPolicy
    from ocrhive.embedded.worker import WorkerConfig
    from ocrhive.metrics.processes import remove_folder, use_folder

    os.umask(0o077)  # tasks hold clients' documents: data files for the owner only
    lock = _lock_data_dir(settings.data_dir)
    # before prometheus_client is imported and before the workers start: they inherit it and
    # their counts join the API's (never in the data folder: see scratch_parent)
    metrics_folder = use_folder()
    broker = LocalBroker()
    parts = composition.build(settings, broker)
    count = settings.worker_count()
    template = WorkerConfig(
        worker_id="", settings=settings, memory_limit_mb=settings.worker_memory_cap_mb()
    )
    # a short retention (tests, strict deployments) is honoured on disk too, not only in lookups
    sweep = min(60.0, max(1.0, settings.retention_seconds / 2))
    supervisor = Supervisor(
        parts.service,
        template,
        SupervisorPolicy(workers=count, sweep_interval=sweep),
        wake=broker.wake,
    )
    app = _app(settings, parts, lambda: (supervisor.alive(), count))
    supervisor.start()
    stop_deliveries = _start_deliverer(settings, parts)
    if not parts.store.list_clients():
        print(
            "ocrhive: no API clients yet; register one with "
            f"'ocrhive clients add NAME --data-dir {settings.data_dir}'",
            file=sys.stderr,
        )
    _run_until_shutdown(
        settings,
        app,
        stop_deliveries.set,
        supervisor.stop,
        lambda: remove_folder(metrics_folder),
        lock.close,
    )


def _serve_distributed(settings: Settings) -> None:
    """A stateless API node (``--workers 0``), or an API node with a worker node beside it."""
    from ocrhive import composition
    from ocrhive.broker.celery import CeleryBroker
    from ocrhive.distributed.nodeprocess import NodeProcess
    from ocrhive.metrics.processes import remove_folder, use_folder

    # API nodes may share a machine and a data folder: each gets a private temporary one
    folder = use_folder()
    parts = composition.build(settings, CeleryBroker(composition.celery(settings)))
    live_workers = parts.store.live_workers  # type: ignore[attr-defined]
    node = NodeProcess(settings, settings.workers) if settings.workers else None

    def workers() -> tuple[int, int]:
        try:
            return len(live_workers()), settings.workers
        except Exception:  # Redis away: /health reports the store as unreachable
            return 0, settings.workers

    app = _app(settings, parts, workers)
    if node is not None:
        node.start()
    _run_until_shutdown(
        settings, app, node.stop if node is not None else _nothing, lambda: remove_folder(folder)
    )


def worker(
    settings: Settings, concurrency: int, metrics_port: int = 0, metrics_host: str = "127.0.0.1"
) -> None:
    """Run a distributed worker node of ``concurrency`` processes until interrupted, serving
    its metrics on ``metrics_host:metrics_port`` unless the port is 0."""
    if not settings.redis_url:
        raise ConfigurationError(
            "'ocrhive worker' runs a worker node of distributed mode and needs "
            "OCRHIVE_REDIS_URL or --redis-url; the embedded default runs its workers inside "
            "'ocrhive serve'."
        )
    from ocrhive.metrics.processes import remove_folder, use_folder

    # chosen before the node imports prometheus_client; its pool processes inherit it
    folder = use_folder()
    try:
        from ocrhive.distributed.node import run_node

        run_node(settings, concurrency, metrics_port=metrics_port, metrics_host=metrics_host)
    finally:
        remove_folder(folder)


def _clients(args: argparse.Namespace, settings: Settings) -> int:
    from ocrhive import composition
    from ocrhive.auth import new_client

    os.umask(0o077)
    store = composition.open_store(settings)
    if args.clients_command == "add":
        record, secret = new_client(args.name)
        store.add_client(record)
        print(json.dumps({"client_id": record.client_id, "client_secret": secret}))
        return 0
    if args.clients_command == "list":
        for rec in store.list_clients():
            print(
                json.dumps({"client_id": rec.client_id, "name": rec.name, "disabled": rec.disabled})
            )
        return 0
    if args.clients_command in ("disable", "enable"):
        found = store.set_client_disabled(args.client_id, args.clients_command == "disable")
        if not found:
            print(f"ocrhive: no client {args.client_id}", file=sys.stderr)
            return 1
        return 0
    return 2


def _engines(settings: Settings) -> int:
    from ocrhive.engines.registry import describe_engines

    for engine in describe_engines([settings.models_dir] if settings.models_dir else None):
        print(json.dumps(engine))
    return 0


def _recognize(args: argparse.Namespace) -> int:
    """``ocrhive recognize``: a client of a running server; needs no local settings."""
    from ocrhive.client import BatchOptions, UsageError, recognize
    from ocrhive.client.batch import credentials_from, parse_language, parse_result_types

    try:
        if args.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        options = BatchOptions(
            url=args.url or os.environ.get("OCRHIVE_URL") or "http://127.0.0.1:8080",
            paths=args.paths,
            kinds=parse_result_types(args.result_type),
            language=parse_language(args.language),
            out_dir=args.out,
            jobs=args.jobs,
            credentials=credentials_from(args.client_id, args.client_secret, os.environ),
        )
    except UsageError as exc:
        print(f"ocrhive: {exc}", file=sys.stderr)
        return 2
    return recognize(options)


def _languages(args: argparse.Namespace, settings: Settings) -> int:
    from ocrhive.engines import install

    dirs = [settings.models_dir] if settings.models_dir else None
    if args.languages_command == "install":
        return install.install(args.names, sys.stdout, sys.stderr, model_dirs=dirs)
    install.print_status(sys.stdout, dirs)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ocrhive", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data-dir",
            dest="data_dir",
            type=Path,
            default=None,
            help="data folder (env OCRHIVE_DATA_DIR)",
        )
        p.add_argument(
            "--redis-url",
            dest="redis_url",
            default=None,
            help="distributed mode: the Redis of the cluster (env OCRHIVE_REDIS_URL)",
        )

    serve_p = sub.add_parser("serve", help="run the API and the worker processes")
    serve_p.add_argument("--host", default=None, help="listen address (env OCRHIVE_HOST)")
    serve_p.add_argument("--port", type=int, default=None, help="listen port (env OCRHIVE_PORT)")
    serve_p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes, 0 = one per core; with a Redis URL 0 = an API node only "
        "(env OCRHIVE_WORKERS)",
    )
    data_dir(serve_p)
    serve_p.add_argument(
        "--models-dir",
        dest="models_dir",
        type=Path,
        default=None,
        help="extra folder with *.traineddata (env OCRHIVE_MODELS_DIR)",
    )

    worker_p = sub.add_parser(
        "worker", help="distributed mode: run a worker node (needs a Redis URL)"
    )
    worker_p.add_argument(
        "--concurrency", type=int, default=None, help="worker processes (default: one per core)"
    )
    data_dir(worker_p)
    worker_p.add_argument("--models-dir", dest="models_dir", type=Path, default=None)
    worker_p.add_argument(
        "--metrics-port",
        type=int,
        default=0,
        help="serve this node's Prometheus metrics on this port (default 0: off)",
    )
    worker_p.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="address of the metrics port (default 127.0.0.1; 0.0.0.0 for a remote scraper)",
    )

    clients = sub.add_parser("clients", help="manage API clients")
    csub = clients.add_subparsers(dest="clients_command", required=True)
    add = csub.add_parser("add", help="register a client; prints its id and secret once")
    add.add_argument("name")
    data_dir(add)
    lst = csub.add_parser("list", help="list clients")
    data_dir(lst)
    for verb in ("disable", "enable"):
        p = csub.add_parser(verb, help=f"{verb} a client")
        p.add_argument("client_id")
        data_dir(p)

    engines = sub.add_parser("engines", help="list engines and installed languages")
    data_dir(engines)
    engines.add_argument("--models-dir", dest="models_dir", type=Path, default=None)

    rec = sub.add_parser("recognize", help="read files and folders through a running server")
    rec.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files and folders")
    rec.add_argument("--url", default=None, help="the server (env OCRHIVE_URL, default :8080)")
    rec.add_argument(
        "--result-type",
        dest="result_type",
        default="Text",
        help="Text, Pdf, Hocr, Json, ImagePNG, comma-separated (default Text)",
    )
    rec.add_argument("--language", default="English", help="Aspose language name")
    rec.add_argument("--out", type=Path, default=None, help="results folder (default: beside)")
    rec.add_argument("--jobs", type=int, default=4, help="files in flight at once (default 4)")
    rec.add_argument("--client-id", dest="client_id", default=None, help="env OCRHIVE_CLIENT_ID")
    rec.add_argument(
        "--client-secret",
        dest="client_secret",
        default=None,
        help="env OCRHIVE_CLIENT_SECRET; without credentials the trial reads images only",
    )

    langs = sub.add_parser("languages", help="list or install Tesseract language models")
    lsub = langs.add_subparsers(dest="languages_command", required=True)
    lang_install = lsub.add_parser("install", help="apt-get install the models (root)")
    lang_install.add_argument("names", nargs="+", metavar="LANGUAGE", help="German or deu, …")
    lang_list = lsub.add_parser("list", help="installed and available models")
    for p in (lang_install, lang_list):
        p.add_argument("--models-dir", dest="models_dir", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ocrhive`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "recognize":
        return _recognize(args)
    try:
        settings = _settings(args)
        if args.command == "serve":
            serve(settings)
            return 0
        if args.command == "worker":
            concurrency = args.concurrency or settings.worker_count()
            worker(settings, concurrency, args.metrics_port, args.metrics_host)
            return 0
        if args.command == "clients":
            return _clients(args, settings)
        if args.command == "engines":
            return _engines(settings)
        if args.command == "languages":
            return _languages(args, settings)
    except ConfigurationError as exc:
        print(f"ocrhive: {exc.message}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
