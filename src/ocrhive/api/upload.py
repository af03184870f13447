"""A submission read as it arrives: the JSON body's top-level ``image`` string is base64-decoded
chunk by chunk into a :class:`MappedBuffer`, and only the small rest of the body (``settings``)
is kept as JSON text. An upload therefore costs about its decoded size once, instead of the body,
the parsed string and the decoded bytes all at once.

The leniencies of :func:`ocrhive.api.schemas.decode_image` hold: whitespace and JSON-escaped
line breaks are skipped, a ``data:`` URI prefix is dropped, missing padding is added, the
URL-safe alphabet is accepted, and a bad character is reported with its position.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import mmap
import re
from collections.abc import AsyncIterator
from typing import Any

from ocrhive.api.schemas import decode_image, json_object, parse_json_int
from ocrhive.errors import InvalidRequest

#: the most JSON text a body may hold besides its image (settings are a few hundred bytes)
MAX_OTHER_BYTES = 1024 * 1024
#: base64 characters decoded at a time
_STEP = 1 << 18

_WHITESPACE = b" \t\r\n"
#: bytes JSON forbids raw inside a string
_CONTROL = bytes(range(32))
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_DATA_URI = re.compile(rb"^data:[\w/+.-]*(;[\w=.-]+)*;base64,", re.IGNORECASE)
#: longest data URI prefix looked for
_HEAD = 256
#: JSON escapes a base64 string may carry: ``\/`` is a slash, escaped whitespace is skipped
_ESCAPES = {ord("/"): b"/", ord("n"): b"", ord("r"): b"", ord("t"): b"", ord("f"): b""}


class MappedBuffer:
    """Bytes appended into an anonymous private memory mapping.

    The mapping grows by remapping its pages (``mremap``), never by copying them, and only the
    pages written are resident. A growing heap buffer (``bytearray``) is copied whenever the
    allocator cannot extend it in place, which briefly doubled a large upload's cost; and it is
    unmapped whole on :meth:`close`, so the memory goes back however the heap was left.
    """

    def __init__(self, capacity: int = 1 << 20) -> None:
        self._map = mmap.mmap(-1, capacity, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, data: bytes) -> None:
        end = self._size + len(data)
        if end > len(self._map):
            self._map.resize(max(end, 2 * len(self._map)))
        self._map[self._size : end] = data
        self._size = end

    def view(self) -> memoryview:
        """The bytes so far, without a copy; release it before :meth:`close`."""
        return memoryview(self._map)[: self._size]

    def close(self) -> None:
        with contextlib.suppress(BufferError):  # a view still held unmaps it when it goes
            self._map.close()

    def __enter__(self) -> MappedBuffer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Base64Sink:
    """Decodes base64 text fed in pieces into one buffer, checking it as it goes."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.data = MappedBuffer()
        self._head = bytearray()  # the first characters, until the data URI is settled
        self._headed = False
        self._pending = bytearray()  # validated characters not yet decoded (< 4 kept)
        self.position = 0  # characters seen, for error messages
        self._padding = 0
        self._urlsafe_at: int | None = None
        self._standard = False

    def feed(self, text: bytes) -> None:
        """More of the string's characters (JSON escapes already resolved)."""
        text = text.translate(None, _WHITESPACE)
        if not text:
            return
        if not self._headed:
            self._head += text
            if len(self._head) < _HEAD:
                return
            self._settle_head()
            return
        self._take(text)

    def _settle_head(self) -> None:
        self._headed = True
        head = bytes(self._head)
        self._head = bytearray()
        match = _DATA_URI.match(head)
        self._take(head[match.end() :] if match else head)

    def _take(self, text: bytes) -> None:
        if self._padding:
            if text.strip(b"="):
                raise self.bad(None)
            self._padding += len(text)
            self.position += len(text)
            return
        body = text.rstrip(b"=")
        padding = len(text) - len(body)
        if self._urlsafe_at is None:
            dash = min((i for i in (body.find(b"-"), body.find(b"_")) if i >= 0), default=-1)
            if dash >= 0:
                self._urlsafe_at = self.position + dash
        self._standard = self._standard or b"+" in body or b"/" in body
        if self._urlsafe_at is not None:
            if self._standard:
                raise self.bad(self._urlsafe_at)
            body = body.translate(_URLSAFE)
        stray = body.translate(None, _ALPHABET)
        if stray:
            # padding inside the text is misplaced, not a foreign character: no position
            foreign = stray.translate(None, b"=")
            raise self.bad(self.position + body.index(foreign[:1]) if foreign else None)
        self.position += len(text)
        self._padding = padding
        self._pending += body
        if len(self._pending) >= _STEP or padding:
            self._decode(len(self._pending) - len(self._pending) % 4)

    def _decode(self, upto: int) -> None:
        if upto:
            with memoryview(self._pending) as pending, pending[:upto] as text:
                self.data.append(binascii.a2b_base64(text))
            del self._pending[:upto]

    def bad(self, position: int | None) -> InvalidRequest:
        """The error for an invalid character at ``position`` (of the characters kept)."""
        where = f" (invalid character at position {position})" if position is not None else ""
        return InvalidRequest(self.field, f"'{self.field}' is not valid base64{where}.")

    def finish(self) -> MappedBuffer:
        """The decoded bytes (the caller closes the buffer).

        Raises:
            InvalidRequest: empty, or not valid base64.
        """
        if not self._headed:
            self._settle_head()
        self._decode(len(self._pending) - len(self._pending) % 4)
        rest = len(self._pending)
        # as the whole-body parser: missing padding is added, too much is refused
        if rest == 1 or (self._padding and (rest == 0 or rest + self._padding > 4)):
            raise self.bad(None)
        if rest:
            self.data.append(binascii.a2b_base64(bytes(self._pending) + b"=" * (4 - rest)))
            self._pending.clear()
        if not self.data:
            raise InvalidRequest(self.field, f"'{self.field}' is empty.")
        return self.data


class _Body:
    """A top-level JSON object scanned byte by byte, except the streamed string, which goes to
    a :class:`Base64Sink` in bulk."""

    def __init__(self, stream_key: str) -> None:
        self.stream_key = stream_key
        self.values: dict[str, Any] = {}
        self.sink: Base64Sink | None = None
        self._state = "start"
        self._token = bytearray()  # the key or raw value being collected
        self._key = ""
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self._other = 0
        self._offset = 0

    def _invalid(self, why: str) -> InvalidRequest:
        return InvalidRequest(
            "$", f"The request body is not valid JSON: {why} (byte {self._offset})."
        )

    def feed(self, chunk: bytes) -> None:
        i = 0
        n = len(chunk)
        while i < n:
            if self._state == "stream":
                i = self._stream(chunk, i)
                continue
            self._step(chunk[i])
            i += 1
            self._offset += 1

    # -- the streamed string ---------------------------------------------------------------

    def _stream(self, chunk: bytes, i: int) -> int:
        assert self.sink is not None
        if self._escaped:
            self._escaped = False
            code = chunk[i]
            if code not in _ESCAPES:
                raise self.sink.bad(self.sink.position)
            self.sink.feed(_ESCAPES[code])
            self._offset += 1
            return i + 1
        quote = chunk.find(b'"', i)
        slash = chunk.find(b"\\", i)
        end = len(chunk) if quote < 0 else quote
        if 0 <= slash < end:
            end = slash
        piece = chunk[i:end]
        if len(piece.translate(None, _CONTROL)) != len(piece):
            raise self._invalid("a control character inside a string")
        self.sink.feed(piece)
        self._offset += end - i
        if end == len(chunk):
            return end
        self._offset += 1
        if end == slash:
            self._escaped = True
        else:
            self._state = "after_value"
        return end + 1

    # -- everything else, byte by byte (a few hundred bytes) -------------------------------

    def _step(self, byte: int) -> None:
        char = chr(byte)
        state = self._state
        if state not in ("key", "value") and char in " \t\r\n":
            return
        if state == "start":
            if char != "{":
                # not an object: kept whole (within the cap) for the whole-body parser to
                # say exactly what is wrong with it
                self._state = "whole"
                self._token = bytearray()
                self._whole(byte)
                return
            self._state = "key_or_end"
        elif state == "whole":
            self._whole(byte)
        elif state in ("key_or_end", "key_next"):
            if char == "}" and state == "key_or_end":
                self._state = "end"
            elif char == '"':
                self._state, self._token = "key", bytearray(b'"')
            else:
                raise self._invalid("expected a quoted key")
        elif state == "key":
            self._count()
            self._token.append(byte)
            if self._escaped:
                self._escaped = False
            elif char == "\\":
                self._escaped = True
            elif char == '"':
                self._key = json.loads(bytes(self._token))
                self._state = "colon"
        elif state == "colon":
            if char != ":":
                raise self._invalid("expected ':' after a key")
            self._state = "value_start"
        elif state == "value_start":
            if char == '"' and self._key.lower() == self.stream_key:
                self.sink = Base64Sink(self._key)
                self.values.pop(self.stream_key, None)
                self._state = "stream"
                return
            self._state, self._token = "value", bytearray()
            self._depth, self._in_string = 0, False
            self._value(byte)
        elif state == "value":
            self._value(byte)
        elif state == "after_value":
            if char == ",":
                self._state = "key_next"
            elif char == "}":
                self._state = "end"
            else:
                raise self._invalid("expected ',' or '}' after a value")
        elif state == "end":
            raise self._invalid("extra data after the object")

    def _whole(self, byte: int) -> None:
        self._count()
        self._token.append(byte)

    def _value(self, byte: int) -> None:
        """One byte of a raw JSON value; ends it at the ``,`` or ``}`` that closes it."""
        char = chr(byte)
        if self._in_string:
            if self._escaped:
                self._escaped = False
            elif char == "\\":
                self._escaped = True
            elif char == '"':
                self._in_string = False
        elif char == '"':
            self._in_string = True
        elif char in "[{":
            self._depth += 1
        elif char in "]}" and self._depth:
            self._depth -= 1
        elif char in ",}" and not self._depth:
            self._close_value()
            self._state = "key_next" if char == "," else "end"
            return
        self._count()
        self._token.append(byte)

    def _close_value(self) -> None:
        raw = bytes(self._token).strip()
        try:
            value = json.loads(raw, parse_int=parse_json_int)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise self._invalid(f"{why} in the value of '{self._key}'") from None
        except RecursionError:
            raise InvalidRequest(
                "$",
                "The request body nests JSON arrays or objects too deeply "
                "(a submission needs at most 5 levels).",
            ) from None
        if self._key.lower() == self.stream_key:
            self.sink = None
        self.values[self._key] = value

    def _count(self) -> None:
        self._other += 1
        if self._other > MAX_OTHER_BYTES:
            raise InvalidRequest(
                "$",
                f"The request body holds more than {MAX_OTHER_BYTES // 1024} KiB besides its "
                "image; settings are far smaller.",
            )

    def finish(self) -> tuple[dict[str, Any], MappedBuffer | None]:
        if self._state == "whole":
            json_object(bytes(self._token), self.stream_key)  # raises, naming the problem
        if self._state != "end":
            raise InvalidRequest("$", "The request body is not valid JSON: it ends too early.")
        return self.values, self.sink.finish() if self.sink is not None else None


async def read_submission(
    chunks: AsyncIterator[bytes], stream_key: str = "image"
) -> tuple[dict[str, Any], MappedBuffer]:
    """Read a submission body as it arrives.

    Returns:
        The body's other top-level keys (parsed JSON) and the decoded ``stream_key`` bytes,
        in a buffer the caller closes.

    Raises:
        InvalidRequest: the body is not a JSON object, or its image is missing, not a string,
            empty or not base64 (with the same messages as the whole-body parser).
    """
    body = _Body(stream_key)
    async for chunk in chunks:
        body.feed(chunk)
    values, data = body.finish()
    if data is None:
        # missing, null or not a string: the whole-body parser's messages say which
        key = next((k for k in values if k.lower() == stream_key), stream_key)
        decode_image(values.get(key), key)
        raise InvalidRequest(key, f"'{key}' must be a base64 string.")  # pragma: no cover
    return values, data
