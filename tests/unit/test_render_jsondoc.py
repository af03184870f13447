"""JSON renderer: the documented schema, Aspose rect names, text and confidences."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from ocrhive.domain.document import Page
from ocrhive.render import jsondoc
from tests.unit.test_render_pages import TRICKY, make_page, sample_page


def validate(data: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(data.decode("utf-8"))
    jsonschema.Draft202012Validator(jsondoc.schema()).validate(document)
    return document


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = jsondoc.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_rendered_document_validates_and_carries_the_tree() -> None:
    page = sample_page()
    document = validate(jsondoc.render([page]))
    assert document["version"] == 1
    (out,) = document["pages"]
    assert out["pageNumber"] == 1
    assert (out["width"], out["height"], out["dpi"], out["language"]) == (1200, 800, 300.0, "eng")
    (block,) = out["blocks"]
    assert block["confidence"] == 88.25
    assert block["text"] == f"Hello world\n{' '.join(TRICKY)}\n\nTotal 12.50"
    assert [line["text"] for line in block["lines"]] == [
        "Hello world",
        " ".join(TRICKY),
        "Total 12.50",
    ]
    word = block["lines"][0]["words"][0]
    first = next(page.words())
    assert word == {
        "text": "Hello",
        "topLeftX": first.bbox.left,
        "topLeftY": first.bbox.top,
        "bottomRightX": first.bbox.right,
        "bottomRightY": first.bbox.bottom,
        "confidence": 91.5,
    }
    assert block["lines"][0]["confidence"] == 91.5


def test_non_ascii_is_written_as_utf8_not_escaped() -> None:
    data = jsondoc.render([sample_page()])
    assert "Grüße".encode() in data
    assert "東京".encode() in data
    words = [w["text"] for w in validate(data)["pages"][0]["blocks"][0]["lines"][1]["words"]]
    assert words == TRICKY


def test_pages_are_numbered_in_order_and_empty_pages_validate() -> None:
    pages = [make_page([[[f"p{n}"]]]) for n in range(3)] + [Page(width=5, height=5)]
    document = validate(jsondoc.render(pages))
    assert [p["pageNumber"] for p in document["pages"]] == [1, 2, 3, 4]
    assert document["pages"][3]["blocks"] == []
    assert validate(jsondoc.render([])) == {"version": 1, "pages": []}


def test_schema_rejects_unknown_keys_and_out_of_range_confidence() -> None:
    document = json.loads(jsondoc.render([sample_page()]))
    validator = jsondoc.schema()
    document["pages"][0]["blocks"][0]["lines"][0]["words"][0]["confidence"] = 101
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, validator)
    document = json.loads(jsondoc.render([sample_page()]))
    document["pages"][0]["blocks"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, validator)
