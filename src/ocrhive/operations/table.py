"""RecognizeTable: a table image → Text / Csv / Excel (resultTypeTable), plus JSON when
resultType asks for it.

The first page of what was sent is preprocessed as the settings ask (greyscale, contrast,
binarization, deskew, upsampling), then :func:`ocrhive.tables.extract.extract` finds the tables
and reads their cells with the task's engine. docs/compat.md ("RecognizeTable") describes the
outputs.
"""

from __future__ import annotations

from functools import partial

from PIL import Image

from ocrhive import preprocess
from ocrhive.domain.recognition import (
    ArtifactKind,
    RecognitionSettings,
    ResultType,
    ResultTypeTable,
)
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.engines.base import EngineRequest
from ocrhive.ingest.decode import image_dpi
from ocrhive.ingest.pages import PageSource
from ocrhive.pipeline import PipelineOptions, Readers, for_reading
from ocrhive.preprocess.turns import Turns, rotated_size, to_source
from ocrhive.tables.extract import Extraction, Reading, extract
from ocrhive.tables.formats import render_csv, render_json, render_text
from ocrhive.tables.workbook import render_xlsx

#: which artefacts each resultTypeTable asks for, in wire order (Csv before Excel)
_KINDS: dict[ResultTypeTable, tuple[ArtifactKind, ...]] = {
    ResultTypeTable.TEXT: (ArtifactKind.TEXT,),
    ResultTypeTable.CSV: (ArtifactKind.CSV,),
    ResultTypeTable.EXCEL: (ArtifactKind.EXCEL,),
    ResultTypeTable.CSV_AND_EXCEL: (ArtifactKind.CSV, ArtifactKind.EXCEL),
}


def run(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Find the tables on the first page of ``data`` and write them as ``settings`` ask.

    Raises:
        TaskFailed: the image cannot be read or is too large, or the engine cannot run.
    """
    source = PageSource(data, options.limits, all_pages=False)
    try:
        image = for_reading(next(iter(source)), keep_colour=False)
    finally:
        source.close()
    found, turns, notes = read_tables(image, settings, readers)
    results = [_artifact(kind, found) for kind in _KINDS[settings.result_type_table]]
    if settings.result_type is ResultType.JSON:
        json = render_json(found.tables, partial(to_source, turns=turns), fallback=found.fallback)
        results.append(Artifact(kind=ArtifactKind.JSON, data=json))
    return Outcome(results=tuple(results), warnings=notes + _notes(found))


def read_tables(
    image: Image.Image,
    settings: RecognitionSettings,
    readers: Readers,
    *,
    reading: Reading = Reading.CELLS,
) -> tuple[Extraction, Turns, tuple[str, ...]]:
    """The tables on a decoded page, the geometry from it to them, and preprocessing's notes."""
    dpi = image_dpi(image)
    prepared = preprocess.apply(image.convert("L"), settings, readers.orientation)
    request = EngineRequest(language=settings.language, dpi=dpi * prepared.scale if dpi else None)
    found = extract(prepared.image, readers.engine, request, reading=reading)
    turns = Turns(
        source_size=rotated_size(image.size, settings.rotate),
        turn=(prepared.rotation - settings.rotate) % 360,
        skew=prepared.skew + found.angle,
        scale=prepared.scale,
        final_size=found.image.size,
    )
    return found, turns, prepared.warnings


def _artifact(kind: ArtifactKind, found: Extraction) -> Artifact:
    if kind is ArtifactKind.CSV:
        return Artifact(kind=kind, data=render_csv(found.tables))
    if kind is ArtifactKind.EXCEL:
        return Artifact(kind=kind, data=render_xlsx(found.tables))
    return Artifact(kind=kind, data=render_text(found.tables))


def _notes(found: Extraction) -> tuple[str, ...]:
    if found.fallback:
        return (
            "No table was found on the page (no ruled grid, no aligned columns); its text "
            "lines are returned as a one-column table.",
        )
    shapes = ", ".join(
        f"{t.rows}×{t.cols} {'ruled' if t.ruled else 'without lines'}" for t in found.tables
    )
    count = len(found.tables)
    return (f"{count} table{'s' if count > 1 else ''} found: {shapes}.",)
