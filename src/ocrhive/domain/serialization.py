"""Recognition settings to and from plain dicts, for stores that keep tasks as JSON."""

from __future__ import annotations

from typing import Any

from ocrhive.domain.recognition import (
    DsrConfidence,
    DsrMode,
    Language,
    RecognitionSettings,
    Rect,
    Region,
    ResultType,
    ResultTypeTable,
)


def settings_to_dict(settings: RecognitionSettings) -> dict[str, Any]:
    """A JSON-ready dict of ``settings`` (enum values as their wire strings)."""
    return {
        "language": settings.language.value,
        "skew_correct": settings.skew_correct,
        "binarization": settings.binarization,
        "spell_check": settings.spell_check,
        "contrast_correction": settings.contrast_correction,
        "upsampling": settings.upsampling,
        "dsr_mode": settings.dsr_mode.value if settings.dsr_mode else None,
        "dsr_confidence": settings.dsr_confidence.value,
        "result_type": settings.result_type.value,
        "result_type_table": settings.result_type_table.value,
        "rotate": settings.rotate,
        "regions": [
            {
                "left": r.rect.left,
                "top": r.rect.top,
                "right": r.rect.right,
                "bottom": r.rect.bottom,
                "order": r.order,
            }
            for r in settings.regions
        ],
    }


def settings_from_dict(data: dict[str, Any]) -> RecognitionSettings:
    """The inverse of :func:`settings_to_dict`."""
    return RecognitionSettings(
        language=Language(data["language"]),
        skew_correct=bool(data["skew_correct"]),
        binarization=bool(data["binarization"]),
        spell_check=bool(data["spell_check"]),
        contrast_correction=bool(data["contrast_correction"]),
        upsampling=bool(data["upsampling"]),
        dsr_mode=DsrMode(data["dsr_mode"]) if data.get("dsr_mode") else None,
        dsr_confidence=DsrConfidence(data["dsr_confidence"]),
        result_type=ResultType(data["result_type"]),
        result_type_table=ResultTypeTable(data.get("result_type_table", "Text")),
        rotate=int(data["rotate"]),
        regions=tuple(
            Region(
                rect=Rect(left=r["left"], top=r["top"], right=r["right"], bottom=r["bottom"]),
                order=r["order"],
            )
            for r in data.get("regions", [])
        ),
    )
