"""Server settings: one model, read from ``OCRHIVE_*`` variables and CLI flags at the edge."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/ocrhive`` (``~/.local/share/ocrhive``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ocrhive"


class Settings(BaseSettings):
    """Everything an operator can set. Each field is also ``OCRHIVE_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="OCRHIVE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    #: worker processes; 0 means one per core
    workers: int = Field(default=0, ge=0, le=256)
    data_dir: Path = Field(default_factory=default_data_dir)
    #: extra folders with ``*.traineddata`` models, searched before the built-in ones
    models_dir: Path | None = None

    #: largest accepted request body, MiB (the base64 image inside it is ~4/3 of the file)
    max_body_mb: float = Field(default=64.0, gt=0)
    #: largest image accepted, in megapixels (decompression bombs stop here)
    max_megapixels: float = Field(default=100.0, gt=0)
    #: how long results are kept, seconds (Aspose: 24 h)
    retention_seconds: float = Field(default=24 * 3600.0, gt=0)
    #: how long a GET may wait for an unfinished task before answering, seconds
    get_wait_seconds: float = Field(default=5.0, ge=0, le=60)
    #: processing time limit of a one-page task, seconds (documents: see seconds_per_extra_page)
    task_time_limit: float = Field(default=300.0, gt=0)
    #: extra time a document's every page after the first adds to its task's limit, seconds
    seconds_per_extra_page: float = Field(default=10.0, ge=0)
    #: most pages read from one PDF or multi-page TIFF
    max_pages: int = Field(default=500, ge=1)
    #: how often a task is started before a crashing worker makes it fail
    max_attempts: int = Field(default=3, ge=1, le=20)
    #: memory cap per worker process, MiB; unset = derived from the machine's memory and the
    #: worker count, 0 = no cap. A runaway task fails with a message; the host lives on.
    worker_memory_mb: int | None = Field(default=None, ge=0)
    #: memory cap of the separate process that renders a PDF page, MiB
    render_memory_mb: int = Field(default=1024, ge=64)
    #: how long one PDF page may take to render, seconds
    page_render_seconds: float = Field(default=30.0, gt=0)

    #: largest task database, MiB (0 = no ceiling); past it new work is refused with 507
    max_store_mb: float = Field(default=0.0, ge=0)
    #: free space kept on the data folder's disk, MiB; below it new work is refused with 507
    min_free_disk_mb: float = Field(default=256.0, ge=0)

    #: the no-token trial: largest request body (MiB), largest image (megapixels), and per
    #: client address: submissions per minute and unfinished tasks at once
    trial_max_body_mb: float = Field(default=8.0, gt=0)
    trial_max_megapixels: float = Field(default=25.0, gt=0)
    trial_submits_per_minute: int = Field(default=60, ge=1)
    trial_max_pending_per_address: int = Field(default=8, ge=1)

    #: /connect/token attempts per minute, per client id and per client address
    token_attempts_per_minute: int = Field(default=30, ge=1)
    #: open HTTP connections served at once; more are refused
    max_connections: int = Field(default=2048, ge=16)
    #: seconds an idle connection (or a request still being sent) is kept open
    idle_timeout_seconds: float = Field(default=15.0, gt=0)
    #: addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated)
    trusted_proxies: str = ""
    #: share of words masked by the trial endpoint
    trial_mask_fraction: float = Field(default=0.10, ge=0, le=1)

    #: HS256 signing key for access tokens; generated into the data folder when unset
    jwt_secret: SecretStr | None = None
    token_ttl_seconds: int = Field(default=3600, ge=60)
    #: how often idle workers look for new tasks, seconds
    poll_interval: float = Field(default=0.1, gt=0, le=5)

    #: distributed mode: the Redis holding task records and Celery's queue
    #: (e.g. ``redis://redis-host:6379/0``); unset = the embedded default
    redis_url: str | None = None
    #: most Pending tasks in the whole service (0 = no cap); more submits get 429
    max_pending: int = Field(default=0, ge=0)
    #: most Pending tasks of one client (0 = no cap); more submits get 429
    max_pending_per_client: int = Field(default=0, ge=0)
    #: distributed mode: how long a worker's heartbeat lasts unless renewed, seconds
    worker_heartbeat_seconds: float = Field(default=15.0, ge=2)

    #: where webhooks may call: ``public`` (any public address), networks and host names,
    #: comma-separated; private networks only when listed (e.g. ``public,10.0.0.0/8``)
    webhook_allow: str = "public"
    #: how long a webhook receiver has to answer, seconds
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    log_level: str = "info"

    def worker_count(self) -> int:
        """The number of worker processes to run."""
        return self.workers or max(1, os.cpu_count() or 1)

    def worker_memory_cap_mb(self) -> int:
        """The memory cap of each worker process, MiB (0 = none).

        Unset, it is three quarters of the machine's memory shared by the workers, and never
        below 3 GiB (a worker with RapidOCR loaded maps about 2 GiB of address space)."""
        if self.worker_memory_mb is not None:
            return self.worker_memory_mb
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
        return max(3072, int(total_mb * 0.75 / self.worker_count()))

    def max_task_seconds(self) -> float:
        """The longest any task may run: the limit of a document at the page limit."""
        return self.task_time_limit + self.seconds_per_extra_page * (self.max_pages - 1)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "ocrhive.sqlite3"
