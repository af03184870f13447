"""IdentifyFont: a text image → the likely font families and style."""

from __future__ import annotations

from dataclasses import replace

from ocrhive.domain.recognition import ArtifactKind, RecognitionSettings, ResultType
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.engines.base import Segmentation
from ocrhive.errors import TaskFailed
from ocrhive.fonts.faces import installed_faces
from ocrhive.fonts.identify import identify
from ocrhive.ingest.pages import PageSource
from ocrhive.pipeline import PipelineOptions, Readers, read_page

NO_TEXT = (
    "No text fit to identify a font was found in the image: IdentifyFont needs a few printed "
    "words at least 10 pixels high."
)
NO_FONTS = "This server has none of the reference fonts IdentifyFont compares text with."


def run(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Read the first page of ``data`` and answer, as Aspose does, a Python-literal string
    ``{'style': …, 'font': [best, second, third]}`` in one Text result.

    Raises:
        TaskFailed: the input is not an image, holds no usable text, or no reference font is
            installed (message for the client).
    """
    faces = installed_faces()
    if not faces:
        raise TaskFailed(NO_FONTS)
    source = PageSource(data, options.limits, all_pages=False)
    try:
        image = next(iter(source))
    finally:
        source.close()
    # Shapes are compared on the grey page: binarization (on by default in the SDK) cuts every
    # stroke at a threshold of its own and changes the stroke weight that tells bold apart;
    # the engine thresholds the page itself anyway.
    grey = replace(settings, binarization=False)
    read = read_page(image, grey, readers, Segmentation.AUTO)
    del image
    guess = identify(read.page, read.image, faces)
    if guess is None:
        raise TaskFailed(NO_TEXT)
    families = sorted({face.family for face in faces})
    warnings = [
        *read.warnings,
        f"The font was estimated from {guess.words} words compared with free look-alike fonts; "
        f"this server can name {len(families)} families: {', '.join(families)}.",
    ]
    if settings.result_type is not ResultType.TEXT:
        warnings.append(
            f"IdentifyFont answers Text only; resultType {settings.result_type.value} was ignored."
        )
    result = Artifact(kind=ArtifactKind.TEXT, data=guess.literal().encode("utf-8"))
    return Outcome(results=(result,), warnings=tuple(warnings))
