"""Wire models ⇄ domain: request bodies parsed leniently (case-insensitive names and enum strings,
null = default, unknown keys ignored) and strictly (wrong types and values are named), and the
five-key response envelope."""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from ocrhive.domain.recognition import (
    BOOLEAN_DEFAULTS,
    MAX_SPEECH_CHARACTERS,
    RESULT_TYPE_DEFAULTS,
    TRIAL_SPEECH_CHARACTERS,
    BodyShape,
    DsrConfidence,
    DsrMode,
    Family,
    Language,
    RecognitionSettings,
    Rect,
    Region,
    ResultType,
    ResultTypeTable,
)
from ocrhive.domain.task import TaskStatus, TaskView
from ocrhive.errors import InvalidRequest

E = TypeVar("E", bound=enum.Enum)

_INT32 = (-(2**31), 2**31 - 1)
#: integer literals longer than this are kept as digits, never converted (no wire field needs
#: more than 10; Python refuses to convert past 4,300 and the conversion is quadratic below it)
_MAX_INT_DIGITS = 40
_DATA_URI = re.compile(r"^data:[\w/+.-]*(;[\w=.-]+)*;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
#: docs-only spellings accepted as aliases
_ENUM_ALIASES: dict[type[enum.Enum], dict[str, str]] = {
    DsrMode: {"craftpoly": "PolygonalTextDetector"},
}


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One key of every settings object: its Aspose spelling, the ``RecognitionSettings``
    attribute it fills, and what it holds."""

    #: the spelling the SDKs send (matched case-insensitively)
    wire: str
    #: the ``RecognitionSettings`` attribute
    attr: str
    #: ``bool``; an enum class (its values are the wire strings); ``int`` for the one integer,
    #: ``Rotate``, in degrees; ``Region`` for the list of regions
    kind: type
    #: for people reading the OpenAPI document
    description: str


#: Every setting, in the SDKs' order (spec §6). The parser below and the documented settings
#: models (api/openapi.py) are both built from this one list, so they cannot disagree.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        wire="language",
        attr="language",
        kind=Language,
        description="Recognition language; also the spell-check dictionary.",
    ),
    Setting(
        wire="makeSkewCorrect",
        attr="skew_correct",
        kind=bool,
        description="Straighten a page tilted by up to 15°.",
    ),
    Setting(
        wire="makeBinarization",
        attr="binarization",
        kind=bool,
        description="Turn the image black-and-white before reading it.",
    ),
    Setting(
        wire="makeSpellCheck",
        attr="spell_check",
        kind=bool,
        description="Correct misspelled words with the language's dictionary.",
    ),
    Setting(
        wire="makeContrastCorrection",
        attr="contrast_correction",
        kind=bool,
        description="Boost a faint image's contrast.",
    ),
    Setting(
        wire="makeUpsampling",
        attr="upsampling",
        kind=bool,
        description="Enlarge small print before reading it.",
    ),
    Setting(
        wire="dsrMode",
        attr="dsr_mode",
        kind=DsrMode,
        description="How the page is split into blocks; not given = the server picks. "
        "`CraftPoly` (the docs' name) is accepted for `PolygonalTextDetector`.",
    ),
    Setting(
        wire="dsrConfidence",
        attr="dsr_confidence",
        kind=DsrConfidence,
        description="How readily low-confidence blocks are dropped (`Default` = `Mid`).",
    ),
    Setting(
        wire="resultType",
        attr="result_type",
        kind=ResultType,
        description="What to get back; a combined type gives one result per part, "
        "in the order Text, Pdf, Hocr.",
    ),
    Setting(
        wire="Rotate",
        attr="rotate",
        kind=int,
        description="Clockwise degrees to turn the image before anything else (any 32-bit "
        "integer, taken modulo 360). The SDKs spell it `Rotate`, the docs `rotate`: both work.",
    ),
    Setting(
        wire="resultTypeTable",
        attr="result_type_table",
        kind=ResultTypeTable,
        description="Output of table recognition; accepted and ignored by these families.",
    ),
    Setting(
        wire="regions",
        attr="regions",
        kind=Region,
        description="Areas to read, in pixels of the image after `Rotate`. RecognizeRegions "
        "gives one result per region, by ascending `order`; no regions = the whole image.",
    ),
)

#: wire spelling of each corner coordinate → ``Rect`` attribute
RECT_FIELDS = {
    "topLeftX": "left",
    "topLeftY": "top",
    "bottomRightX": "right",
    "bottomRightY": "bottom",
}


def _folded(obj: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Keys folded to lower case → (original key, value)."""
    return {str(k).lower(): (str(k), v) for k, v in obj.items()}


def parse_enum(cls: type[E], value: Any, field: str) -> E:
    """``value`` as a member of ``cls``, matched case-insensitively on the wire string."""
    if not isinstance(value, str):
        raise InvalidRequest(field, f"'{field}' must be a string, one of: {_choices(cls)}.")
    wanted = _ENUM_ALIASES.get(cls, {}).get(value.lower(), value).lower()
    for member in cls:
        if str(member.value).lower() == wanted:
            return member
    raise InvalidRequest(
        field, f"'{field}' has the unknown value {value!r}; expected one of: {_choices(cls)}."
    )


def _choices(cls: type[enum.Enum]) -> str:
    names = [str(m.value) for m in cls]
    return ", ".join(names) if len(names) <= 12 else ", ".join(names[:12]) + ", … (see docs)"


class _HugeInteger:
    """An integer literal too long to convert; only a field that wants a number complains."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def parse_json_int(literal: str) -> int | _HugeInteger:
    digits = len(literal) - literal.startswith("-")
    return _HugeInteger(digits) if digits > _MAX_INT_DIGITS else int(literal)


def _int32(value: Any, field: str) -> int:
    if isinstance(value, _HugeInteger):
        raise InvalidRequest(
            field, f"'{field}' is out of the 32-bit integer range ({value.digits} digits)."
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(field, f"'{field}' must be an integer.")
    if isinstance(value, float):
        if math.isinf(value):
            raise InvalidRequest(field, f"'{field}' is out of the 32-bit integer range.")
        if not value.is_integer():
            raise InvalidRequest(field, f"'{field}' must be an integer, not {value}.")
        value = int(value)
    number = int(value)
    if not _INT32[0] <= number <= _INT32[1]:
        raise InvalidRequest(field, f"'{field}' is out of the 32-bit integer range.")
    return number


def decode_image(value: Any, field: str = "image") -> bytes:
    """Standard base64 (RFC 4648) → bytes. Line breaks, a ``data:`` URI prefix, missing padding
    and the URL-safe alphabet are tolerated; anything else is refused with the position."""
    if value is None:
        raise InvalidRequest(field, f"'{field}' is required: the base64 of the file.")
    if not isinstance(value, str):
        raise InvalidRequest(field, f"'{field}' must be a base64 string.")
    text = _WHITESPACE.sub("", _DATA_URI.sub("", value, count=1))
    if not text:
        raise InvalidRequest(field, f"'{field}' is empty.")
    if ("-" in text or "_" in text) and "+" not in text and "/" not in text:
        text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        bad = next((i for i, c in enumerate(text) if c not in _B64_ALPHABET), None)
        where = f" (invalid character at position {bad})" if bad is not None else ""
        raise InvalidRequest(field, f"'{field}' is not valid base64{where}.") from None
    if not data:
        raise InvalidRequest(field, f"'{field}' is empty.")
    return data


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def parse_settings(raw: Any, family: Family, field: str = "settings") -> RecognitionSettings:
    """The settings object of a submission, defaults applied per family (spec §6.8)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidRequest(field, f"'{field}' must be a JSON object.")
    keys = _folded(raw)
    defaults = BOOLEAN_DEFAULTS[family]
    values: dict[str, Any] = {}

    def given(name: str) -> tuple[str, Any] | None:
        hit = keys.get(name)
        return hit if hit is not None and hit[1] is not None else None

    for setting in SETTINGS:
        hit = given(setting.wire.lower())
        if setting.kind is bool:
            if hit is None:
                values[setting.attr] = getattr(defaults, setting.attr)
            elif isinstance(hit[1], bool):
                values[setting.attr] = hit[1]
            else:
                raise InvalidRequest(f"{field}.{hit[0]}", f"'{hit[0]}' must be true or false.")
        elif hit is None:
            if setting.attr == "result_type" and family in RESULT_TYPE_DEFAULTS:
                values[setting.attr] = RESULT_TYPE_DEFAULTS[family]
            continue  # otherwise the RecognitionSettings default applies
        elif issubclass(setting.kind, enum.Enum):
            values[setting.attr] = parse_enum(setting.kind, hit[1], f"{field}.{hit[0]}")
        elif setting.kind is int:
            values[setting.attr] = _int32(hit[1], f"{field}.{hit[0]}") % 360
        elif setting.kind is Region:
            values[setting.attr] = _parse_regions(hit[1], f"{field}.{hit[0]}")
        else:  # pragma: no cover - a new kind must be taught to the parser
            raise TypeError(f"no parser for {setting.kind!r}")
    return RecognitionSettings(**values)


def _parse_regions(raw: Any, field: str) -> tuple[Region, ...]:
    if not isinstance(raw, list):
        raise InvalidRequest(field, f"'{field}' must be an array of regions.")
    regions = []
    for i, item in enumerate(raw):
        where = f"{field}[{i}]"
        if item is None:
            continue
        if not isinstance(item, dict):
            raise InvalidRequest(where, f"'{where}' must be an object with 'rect' and 'order'.")
        keys = _folded(item)
        rect_raw = keys.get("rect", ("rect", None))[1]
        if rect_raw is None:
            rect_raw = {}
        if not isinstance(rect_raw, dict):
            raise InvalidRequest(f"{where}.rect", f"'{where}.rect' must be an object.")
        rk = _folded(rect_raw)

        def coord(name: str, rk: dict[str, tuple[str, Any]] = rk, where: str = where) -> int:
            hit = rk.get(name.lower())
            if hit is None or hit[1] is None:
                return 0
            return _int32(hit[1], f"{where}.rect.{hit[0]}")

        corners = {attr: coord(wire) for wire, attr in RECT_FIELDS.items()}
        left, top, right, bottom = (corners[a] for a in ("left", "top", "right", "bottom"))
        if right <= left or bottom <= top:
            raise InvalidRequest(
                f"{where}.rect",
                f"'{where}.rect' is empty: bottomRight must lie right of and below topLeft.",
            )
        order_hit = keys.get("order")
        order = (
            0
            if order_hit is None or order_hit[1] is None
            else _int32(order_hit[1], f"{where}.{order_hit[0]}")
        )
        regions.append(
            Region(rect=Rect(left=left, top=top, right=right, bottom=bottom), order=order)
        )
    return tuple(regions)


def json_object(body: bytes, wanted: str) -> dict[str, Any]:
    """The request body as a JSON object (``wanted`` names its required key for the message)."""
    try:
        doc = json.loads(body, parse_int=parse_json_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest("$", f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        # the C decoder stops at the interpreter's recursion limit (~1,000 levels) and unwinds
        raise InvalidRequest(
            "$",
            "The request body nests JSON arrays or objects too deeply "
            "(a submission needs at most 5 levels).",
        ) from None
    if not isinstance(doc, dict):
        raise InvalidRequest("$", f"The request body must be a JSON object with '{wanted}'.")
    return doc


def parse_submission(body: bytes, family: Family) -> tuple[bytes, RecognitionSettings]:
    """A POST body → (the task's input bytes, settings), by the family's body shape:
    ``{"image": "<base64>", "settings": {...}}``, ``{"image": "<base64>"}`` (settings, if
    sent, are ignored), or the speech body ``{"text": "...", "settings": {...}}`` whose input
    is the text in UTF-8."""
    if family.body is BodyShape.TEXT:
        return parse_speech(json_object(body, "text"), family)
    doc = json_object(body, "image")
    image_hit = _folded(doc).get("image", ("image", None))
    return decode_image(image_hit[1], image_hit[0]), submission_settings(doc, family)


def submission_settings(doc: dict[str, Any], family: Family) -> RecognitionSettings:
    """The settings of an image submission's body (its other keys already parsed); families
    whose body is the image alone take the defaults whatever else was sent."""
    if family.body is BodyShape.IMAGE:
        return RecognitionSettings()
    settings_hit = _folded(doc).get("settings", ("settings", None))
    return parse_settings(settings_hit[1], family, settings_hit[0])


def _only(value: Any, allowed: str, field: str) -> None:
    """A speech setting that has one possible value: absent, ``null`` or that value."""
    if value is None:
        return
    if not isinstance(value, str) or value.strip().lower() != allowed.lower():
        raise InvalidRequest(field, f"'{field}' must be '{allowed}' (the only value served).")


def parse_speech(doc: dict[str, Any], family: Family) -> tuple[bytes, RecognitionSettings]:
    """``{"text": "...", "settings": {"language": "English", "resultType": "Wav"}}`` (also the
    deprecated flat ``{"text", "language", "resultType"}``) → (the text in UTF-8, defaults)."""
    keys = _folded(doc)
    field, text = keys.get("text", ("text", None))
    if text is None:
        raise InvalidRequest(field, f"'{field}' is required: the English text to speak.")
    if not isinstance(text, str):
        raise InvalidRequest(field, f"'{field}' must be a string.")
    if not text.strip():
        raise InvalidRequest(field, f"'{field}' is empty: give at least one character to speak.")
    limit = TRIAL_SPEECH_CHARACTERS if family.is_trial else MAX_SPEECH_CHARACTERS
    if len(text) > limit:
        trial = " in the trial; use ConvertTextToSpeech with an access token" * family.is_trial
        raise InvalidRequest(
            field, f"'{field}' has {len(text)} characters; at most {limit} are read{trial}."
        )
    settings_field, settings = keys.get("settings", ("settings", None))
    if settings is None:
        settings, prefix = doc, ""  # the deprecated body has the keys at the top level
    elif not isinstance(settings, dict):
        raise InvalidRequest(settings_field, f"'{settings_field}' must be a JSON object.")
    else:
        prefix = f"{settings_field}."
    wanted = _folded(settings)
    name, language = wanted.get("language", ("language", None))
    _only(language, "English", f"{prefix}{name}")
    name, result_type = wanted.get("resulttype", ("resultType", None))
    _only(result_type, "Wav", f"{prefix}{name}")
    return text.encode("utf-8"), RecognitionSettings()


# -- responses ------------------------------------------------------------------------------

_CODES = {
    TaskStatus.PENDING: "NotReady",
    TaskStatus.PROCESSING: "NotReady",
    TaskStatus.COMPLETED: "Ok",
    TaskStatus.ERROR: "Error",
}


def envelope(
    task_id: str, view: TaskView | None, *, include_results: bool = True
) -> dict[str, Any]:
    """The ``OCRResponse`` for ``view`` (None = NotExist): always all five keys."""
    if view is None:
        return {
            "id": task_id,
            "taskStatus": "NotExist",
            "responseStatusCode": "TaskNotFound",
            "results": None,
            "error": None,
        }
    code = _CODES[view.status]
    results = None
    if view.status is TaskStatus.COMPLETED and include_results:
        if view.results is None:
            code = "ResultDataLost"
        elif not view.results:
            code = "NoAnyResultData"
        else:
            results = [
                {"type": a.kind.value, "data": base64.b64encode(a.data).decode("ascii")}
                for a in view.results
            ]
    error = None
    if view.messages or view.warnings:
        error = {
            "messages": list(view.messages) or None,
            "warnings": list(view.warnings) or None,
        }
    return {
        "id": view.id,
        "taskStatus": view.status.value,
        "responseStatusCode": code,
        "results": results,
        "error": error,
    }
