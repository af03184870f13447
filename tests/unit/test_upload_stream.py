"""The streaming submission reader agrees with the whole-body parser: same bytes, same settings,
same refusals, however the body is cut into chunks."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrhive.api.schemas import decode_image, parse_submission
from ocrhive.api.upload import MappedBuffer, read_submission
from ocrhive.domain.recognition import Family
from ocrhive.errors import InvalidRequest


def _read(body: bytes, cuts: list[int]) -> tuple[dict[str, object], bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        start = 0
        for cut in sorted(c % (len(body) + 1) for c in cuts):
            yield body[start:cut]
            start = max(start, cut)
        yield body[start:]

    others, data = asyncio.run(read_submission(chunks()))
    with data, data.view() as view:
        return others, bytes(view)


def _spellings(data: bytes) -> list[str]:
    text = base64.b64encode(data).decode()
    return [
        text,
        text.rstrip("="),  # padding left out
        base64.urlsafe_b64encode(data).decode(),
        "data:image/png;base64," + text,
        "\n".join(text[i : i + 76] for i in range(0, len(text), 76)),  # MIME line breaks
        " " + text + " ",
    ]


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=3000),
    which=st.integers(0, 5),
    cuts=st.lists(st.integers(0, 10_000), max_size=6),
    before=st.booleans(),
)
def test_same_bytes_and_settings_as_the_whole_body_parser(
    data: bytes, which: int, cuts: list[int], before: bool
) -> None:
    image = _spellings(data)[which]
    settings_value = {"language": "German", "Rotate": 90, "regions": None}
    doc = {"settings": settings_value, "image": image} if before else {"image": image, "x": [1]}
    body = json.dumps(doc, indent=1 if before else None).encode()
    others, streamed = _read(body, cuts)
    whole, _ = parse_submission(body, Family.RECOGNIZE_IMAGE)
    assert streamed == whole == data
    assert others == {k: v for k, v in doc.items() if k != "image"}


def test_json_escaped_slashes_and_line_breaks_are_read() -> None:
    data = bytes(range(256)) * 3
    text = base64.b64encode(data).decode()
    lines = [text[i : i + 60].replace("/", "\\/") for i in range(0, len(text), 60)]
    escaped = "\\n".join(lines)
    body = ('{"image": "' + escaped + '"}').encode()
    assert _read(body, [7, 100, 101, 500])[1] == data


@pytest.mark.parametrize(
    "body",
    [
        b'{"image": "QUJD!"}',  # a character outside the alphabet
        b'{"image": "QUJ-+"}',  # both alphabets
        b'{"image": "Q"}',  # one character short of a byte
        b'{"image": "QQ=====" }',  # too much padding
        b'{"image": "QQ==QQ"}',  # padding in the middle
        b'{"image": ""}',
        b'{"image": null}',
        b'{"image": 5}',
        b'{"settings": {}}',
    ],
)
def test_bad_images_are_refused_like_the_whole_body_parser(body: bytes) -> None:
    with pytest.raises(InvalidRequest) as whole:
        parse_submission(body, Family.RECOGNIZE_IMAGE)
    with pytest.raises(InvalidRequest) as streamed:
        _read(body, [3, 11])
    assert streamed.value.field == whole.value.field == "image"
    assert str(streamed.value) == str(whole.value)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[1, 2]",
        b'{"image": "QUJD"',
        b'{"image": "QUJD"} x',
        b'{"image": "QU\x01JD"}',
        b'{"settings": {"a": }, "image": "QUJD"}',
        b'{image: "QUJD"}',
    ],
)
def test_bad_json_is_refused_with_the_body_named(body: bytes) -> None:
    with pytest.raises(InvalidRequest) as streamed:
        _read(body, [5])
    assert streamed.value.field == "$"


def test_settings_beyond_a_megabyte_are_refused() -> None:
    body = json.dumps({"image": "QUJD", "settings": {"pad": "x" * 1_100_000}}).encode()
    with pytest.raises(InvalidRequest, match="besides its image"):
        _read(body, [])


def test_decode_image_and_stream_agree_on_the_position_of_a_bad_character() -> None:
    text = "QUJD" * 100 + "*" + "QUJD"
    with pytest.raises(InvalidRequest) as whole:
        decode_image(text)
    with pytest.raises(InvalidRequest) as streamed:
        _read(json.dumps({"image": text}).encode(), [50, 120])
    assert "position 400" in str(whole.value) and str(streamed.value) == str(whole.value)


def test_the_mapped_buffer_grows_past_its_first_mapping_keeping_every_byte() -> None:
    pieces = [bytes([n]) * (300_000 + n) for n in range(10)]  # ~3 MB through a 1 MB mapping
    with MappedBuffer() as buffer:
        for piece in pieces:
            buffer.append(piece)
        assert len(buffer) == sum(map(len, pieces))
        with buffer.view() as view:
            assert view == b"".join(pieces)
