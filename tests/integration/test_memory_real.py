"""Bytes of memory per pixel the real pipeline needs for a large page, measured in a child."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: The worker budget the pipeline is held to: peak RSS increase over the page's pixel count.
MAX_BYTES_PER_PIXEL = 12.0

# the child builds what a worker builds, warms it up on a small page, resets the kernel's peak
# RSS mark (clear_refs 5) and reads it again after one large page: C allocations (Pillow,
# numpy, Tesseract) count, which tracemalloc would miss
_CHILD = textwrap.dedent(
    """
    import io, json, sys
    from PIL import Image, ImageDraw, ImageFont
    from ocrhive import pipeline
    from ocrhive.domain.recognition import Family, RecognitionSettings, ResultType
    from ocrhive.engines.orientation import PageOrientation
    from ocrhive.engines.registry import EngineRegistry

    side, flags, result = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
    ink, paper = json.loads(sys.argv[4])

    def page(side, size):
        image = Image.new("RGB", (side, side), (paper,) * 3)
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=size)
        for i, line in enumerate(["Invoice 2024-117 total 318.40 EUR", "due within 30 days"]):
            draw.text((side // 10, side // 3 + i * 2 * size), line, fill=(ink,) * 3, font=font)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        return buf.getvalue()

    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) * 1024

    engine = EngineRegistry()
    engine.warm_up()
    readers = pipeline.Readers(engine=engine, orientation=PageOrientation())
    settings = RecognitionSettings(**flags, result_type=ResultType(result))
    options = pipeline.PipelineOptions()
    family = Family.RECOGNIZE_IMAGE
    pipeline.run(page(1000, 40), family, settings, readers, options)
    data = page(side, 40)
    with open("/proc/self/clear_refs", "w") as marks:
        marks.write("5")
    base = status("VmRSS")
    out = pipeline.run(data, family, settings, readers, options)
    text = out.results[0].data.decode("utf-8", "replace") if result == "Text" else ""
    print(json.dumps({"grown": status("VmHWM") - base, "text": text}))
    """
)


#: Grey levels of the text and the paper: black on white is evenly lit and clear, which contrast
#: correction measures and leaves alone and binarization only stretches; faded print makes
#: both correct the whole page (background division, Sauvola thresholds).
CLEAR = (0, 255)
FADED = (170, 205)


def _bytes_per_pixel(
    side: int, flags: dict[str, object], result: str, colours: tuple[int, int] = CLEAR
) -> tuple[float, str]:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(side), json.dumps(flags), result, json.dumps(colours)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    return found["grown"] / (side * side), found["text"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "result", "colours"),
    [
        ({"skew_correct": True}, "Text", CLEAR),  # RecognizeImage's defaults, as the SDK sends
        # a colour page stays colour for the PDF's background image
        ({"skew_correct": True, "upsampling": True}, "Pdf", CLEAR),
        ({"skew_correct": True, "contrast_correction": True}, "Text", FADED),
        ({"skew_correct": True, "binarization": True}, "Text", CLEAR),
        ({"skew_correct": True, "binarization": True}, "Text", FADED),
    ],
    ids=["defaults", "upsampling-pdf", "contrast-faded", "binarize-clear", "binarize-faded"],
)
def test_large_page_stays_within_bytes_per_pixel(
    flags: dict[str, object], result: str, colours: tuple[int, int]
) -> None:
    # 36 MP: large enough that the fixed cost of a run is noise next to per-pixel arrays (a
    # single float32 copy of the page alone is 4 bytes per pixel), small enough for CI
    per_pixel, text = _bytes_per_pixel(6000, flags, result, colours)
    assert per_pixel <= MAX_BYTES_PER_PIXEL, f"{per_pixel:.1f} bytes per pixel"
    if result == "Text":
        assert "Invoice" in text
