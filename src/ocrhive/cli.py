"""The ``ocrhive`` command: serve (API + workers), clients (register API clients), engines."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
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
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / "server.lock", "w")  # noqa: SIM115 (held until exit)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigurationError(
            f"Another ocrhive server is already using the data folder {data_dir}."
        ) from None
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def serve(settings: Settings) -> None:
    """Run the API and the worker processes until interrupted."""
    import uvicorn

    from ocrhive.api.app import create_app
    from ocrhive.auth import Authenticator, load_or_create_signing_key
    from ocrhive.embedded.broker import LocalBroker
    from ocrhive.embedded.supervisor import Supervisor, SupervisorPolicy
    from ocrhive.embedded.worker import WorkerConfig
    from ocrhive.ingest.decode import DecodeLimits
    from ocrhive.ingest.pages import PageLimits
    from ocrhive.logs import configure_logging
    from ocrhive.pipeline import PipelineOptions
    from ocrhive.service import OcrService
    from ocrhive.store.sqlite import SqliteStore

    configure_logging(settings.log_level)
    lock = _lock_data_dir(settings.data_dir)
    store = SqliteStore(settings.database_path)
    key = (
        settings.jwt_secret.get_secret_value().encode()
        if settings.jwt_secret
        else load_or_create_signing_key(settings.data_dir)
    )
    authenticator = Authenticator(store, key, ttl_seconds=settings.token_ttl_seconds)
    template = WorkerConfig(
        worker_id="",
        database=settings.database_path,
        model_dirs=(settings.models_dir,) if settings.models_dir else (),
        options=PipelineOptions(
            limits=PageLimits(
                decode=DecodeLimits(max_pixels=int(settings.max_megapixels * 1_000_000)),
                max_pages=settings.max_pages,
            ),
            trial_fraction=settings.trial_mask_fraction,
            time_limit=settings.task_time_limit,
        ),
        retention_seconds=settings.retention_seconds,
        poll_interval=settings.poll_interval,
        memory_limit_mb=settings.worker_memory_cap_mb(),
        log_level=settings.log_level,
    )
    count = settings.worker_count()
    supervisor = Supervisor(
        store,
        template,
        SupervisorPolicy(
            workers=count,
            task_time_limit=settings.task_time_limit,
            max_attempts=settings.max_attempts,
        ),
    )
    service = OcrService(
        store, LocalBroker(supervisor.wake), retention_seconds=settings.retention_seconds
    )
    app = create_app(
        service,
        authenticator,
        max_body_bytes=int(settings.max_body_mb * 1024 * 1024),
        get_wait_seconds=settings.get_wait_seconds,
        workers=lambda: (supervisor.alive(), count),
    )
    supervisor.start()
    if not store.list_clients():
        print(
            "ocrhive: no API clients yet; register one with "
            f"'ocrhive clients add NAME --data-dir {settings.data_dir}'",
            file=sys.stderr,
        )
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    finally:
        supervisor.stop()
        lock.close()


def _clients(args: argparse.Namespace, settings: Settings) -> int:
    from ocrhive.auth import new_client
    from ocrhive.store.sqlite import SqliteStore

    store = SqliteStore(settings.database_path)
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

    serve_p = sub.add_parser("serve", help="run the API and the worker processes")
    serve_p.add_argument("--host", default=None, help="listen address (env OCRHIVE_HOST)")
    serve_p.add_argument("--port", type=int, default=None, help="listen port (env OCRHIVE_PORT)")
    serve_p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes, 0 = one per core (env OCRHIVE_WORKERS)",
    )
    data_dir(serve_p)
    serve_p.add_argument(
        "--models-dir",
        dest="models_dir",
        type=Path,
        default=None,
        help="extra folder with *.traineddata (env OCRHIVE_MODELS_DIR)",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ocrhive`` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        if args.command == "serve":
            serve(settings)
            return 0
        if args.command == "clients":
            return _clients(args, settings)
        if args.command == "engines":
            return _engines(settings)
    except ConfigurationError as exc:
        print(f"ocrhive: {exc.message}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
