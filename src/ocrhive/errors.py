"""Every error ocrhive raises on purpose, in one tree.

::

    OcrhiveError
    ├── RequestError ............ 4xx/5xx answered to the HTTP client, with a message
    │   ├── InvalidRequest ...... 400, names the offending field
    │   ├── PayloadTooLarge ..... 413
    │   ├── Unauthorized ........ 401 (missing, bad or expired token)
    │   ├── InvalidClient ....... 400 ``invalid_client`` & co. at /connect/token
    │   ├── NotEnabled .......... 501: a feature this server runs without (e.g. webhooks)
    │   └── RetryLater .......... answered with Retry-After
    │       ├── TooManyRequests . 429 (rate limits, quotas, backpressure)
    │       └── Unavailable ..... 503: the service cannot take work right now
    │           └── StorageFull . 507: disk full or store ceiling reached
    ├── TaskFailed .............. the task ends in ``Error`` with ``message`` in error.messages
    │   ├── UnreadableImage ..... not an image we can decode (text, truncated, empty, looping)
    │   ├── ImageTooLarge ....... over the pixel / page limit (decompression bombs)
    │   ├── ModelNotInstalled ... the language's model is missing; says how to install it
    │   ├── EngineFailure ....... the OCR engine raised
    │   └── LimitExceeded ....... a resource limit stopped the task (never retried)
    │       ├── TimeLimitExceeded ..... the task or one page ran longer than its limit
    │       └── MemoryLimitExceeded ... the task or one page needed more memory than its cap
    └── ConfigurationError ...... refuses to start (bad settings, data folder in use or read-only)

Lower-level errors (Pillow, tesserocr, sqlite) are translated into these once, at the boundary
that calls them; the API turns RequestErrors into Aspose-shaped answers in one place.
"""

from __future__ import annotations


class OcrhiveError(Exception):
    """Base of everything ocrhive raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestError(OcrhiveError):
    """A request the HTTP layer must refuse."""

    status_code = 400
    title = "Bad Request"


class InvalidRequest(RequestError):
    """A malformed request; ``field`` names what is wrong (``$`` for the whole body)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PayloadTooLarge(RequestError):
    status_code = 413
    title = "Payload Too Large"


class Unauthorized(RequestError):
    status_code = 401
    title = "Unauthorized"

    def __init__(self, message: str, *, token_presented: bool = False) -> None:
        super().__init__(message)
        self.token_presented = token_presented


class InvalidClient(RequestError):
    """OAuth2 token endpoint failure (RFC 6749 §5.2); ``error`` is the RFC error code."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


class RetryLater(RequestError):
    """A refusal that passes: the answer carries ``Retry-After`` (``retry_after`` seconds)."""

    #: what a client is told to wait when the raiser does not say
    default_retry_after = 1.0

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = self.default_retry_after if retry_after is None else retry_after


class TooManyRequests(RetryLater):
    """A rate limit, quota or queue cap."""

    status_code = 429
    title = "Too Many Requests"


class NotEnabled(RequestError):
    """A feature this server was started without."""

    status_code = 501
    title = "Not Implemented"


class Unavailable(RetryLater):
    """The service cannot take this request now (store unreachable, shutting down)."""

    status_code = 503
    title = "Service Unavailable"
    default_retry_after = 5.0


class StorageFull(Unavailable):
    """No room for new work: the disk is (nearly) full or the store reached its ceiling."""

    status_code = 507
    title = "Insufficient Storage"


class TaskFailed(OcrhiveError):
    """Processing failed for a reason the client should read; the task ends in ``Error``."""

    #: whether running the task again could help (a lost worker, not a bad image)
    retryable = False


class UnreadableImage(TaskFailed):
    pass


class ImageTooLarge(TaskFailed):
    pass


class ModelNotInstalled(TaskFailed):
    pass


class EngineFailure(TaskFailed):
    pass


class LimitExceeded(TaskFailed):
    """A resource limit stopped the task; running it again would hit the same limit."""


class TimeLimitExceeded(LimitExceeded):
    pass


class MemoryLimitExceeded(LimitExceeded):
    pass


class ConfigurationError(OcrhiveError):
    """The server refuses to start with these settings."""
