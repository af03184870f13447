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
    #: per-task processing time limit, seconds
    task_time_limit: float = Field(default=900.0, gt=0)
    #: most pages read from one PDF or multi-page TIFF
    max_pages: int = Field(default=500, ge=1)
    #: how often a task is started before a crashing worker makes it fail
    max_attempts: int = Field(default=3, ge=1, le=20)
    #: address-space cap per worker process, MiB (0 = none); a runaway decode fails, not the host
    worker_memory_mb: int = Field(default=0, ge=0)
    #: share of words masked by the trial endpoint
    trial_mask_fraction: float = Field(default=0.10, ge=0, le=1)

    #: HS256 signing key for access tokens; generated into the data folder when unset
    jwt_secret: SecretStr | None = None
    token_ttl_seconds: int = Field(default=3600, ge=60)
    #: how often idle workers look for new tasks, seconds
    poll_interval: float = Field(default=0.1, gt=0, le=5)

    log_level: str = "info"

    def worker_count(self) -> int:
        """The number of worker processes to run."""
        return self.workers or max(1, os.cpu_count() or 1)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "ocrhive.sqlite3"
