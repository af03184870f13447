"""``ocrhive recognize``: a client of the HTTP API that reads files and folders in batches.

It talks to a server only over HTTP (any ocrhive deployment, or Aspose.OCR Cloud 5.0), so it
imports nothing of the server's rooms; import-linter holds it to that.
"""

from ocrhive.client.batch import (
    BatchOptions,
    UsageError,
    parse_language,
    parse_result_types,
    recognize,
)
from ocrhive.client.session import ApiProblem, Credentials, RetryPolicy, Session

__all__ = [
    "ApiProblem",
    "BatchOptions",
    "Credentials",
    "RetryPolicy",
    "Session",
    "UsageError",
    "parse_language",
    "parse_result_types",
    "recognize",
]
