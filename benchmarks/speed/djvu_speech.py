"""DjVu2PDF and text to speech, measured on the handlers themselves (no HTTP): seconds per DjVu
page converted and read, peak memory for a 30-page DjVu against a 1-page one, and seconds of
speech per character of text.

    python -m benchmarks.speed.djvu_speech [--pages 10] [--memory-pages 30]

Pages are generated here from a fixed seed: A4 at 300 dpi, bilevel text (JB2, as scanned books
are) and colour (IW44), each encoded once and repeated. CPU is user + system time of this
process and every child it ran (the DjVuLibre tools, eSpeak NG). Memory runs in a child process:
its own VmHWM, and the largest VmHWM of a DjVuLibre tool it ran, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
import wave
from io import BytesIO
from pathlib import Path

from benchmarks.speed.djvudocs import ToolPeak, djvu_page, repeated
from PIL import Image, ImageDraw, ImageFont

SEED = 10
A4 = (2480, 3508)
WORDS = (
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "his",
    "her",
    "which",
    "are",
    "this",
    "be",
    "have",
    "not",
    "but",
    "had",
    "they",
    "were",
    "one",
    "all",
    "there",
    "been",
    "has",
    "their",
    "when",
    "who",
    "will",
    "more",
    "would",
    "if",
    "no",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def text_lines(rng: random.Random, count: int) -> list[str]:
    """``count`` lines of common English words."""
    return [" ".join(rng.choice(WORDS) for _ in range(9)).capitalize() + "." for _ in range(count)]


def page_image(rng: random.Random, *, colour: bool) -> Image.Image:
    """An A4 page at 300 dpi: 40 lines of 10 pt text; the colour one has a tinted block."""
    image = Image.new("RGB" if colour else "L", A4, (250, 246, 235) if colour else 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=42)
    for i, line in enumerate(text_lines(rng, 40)):
        draw.text((200, 250 + i * 75), line, fill=(20, 20, 20) if colour else 0, font=font)
    if colour:
        draw.rectangle((200, 3200, 2280, 3400), fill=(60, 110, 180))
        return image
    return image.point(lambda v: 255 if v > 128 else 0).convert("1")


def convert(data: bytes, result_type: str) -> tuple[float, float, int]:
    """One DjVu2PDF run: wall seconds, CPU seconds, PDF bytes."""
    from ocrhive.domain.recognition import RecognitionSettings, ResultType
    from ocrhive.engines.registry import EngineRegistry
    from ocrhive.operations import djvu
    from ocrhive.pipeline import PipelineOptions, Readers

    readers = Readers(engine=EngineRegistry())
    settings = RecognitionSettings(result_type=ResultType(result_type), binarization=True)
    if result_type != "Pdf":  # the engine loads lazily: once, outside the clock
        djvu.run(data, settings, readers, PipelineOptions())
    cpu, wall = _cpu(), time.perf_counter()
    out = djvu.run(data, settings, readers, PipelineOptions())
    pdf = next(r.data for r in out.results if r.kind.value == "Pdf")
    return time.perf_counter() - wall, _cpu() - cpu, len(pdf)


_CHILD = textwrap.dedent(
    """
    import json, sys
    from ocrhive.domain.recognition import RecognitionSettings, ResultType
    from ocrhive.engines.registry import EngineRegistry
    from ocrhive.operations import djvu
    from ocrhive.pipeline import PipelineOptions, Readers

    data = open(sys.argv[1], "rb").read()
    readers = Readers(engine=EngineRegistry())
    settings = RecognitionSettings(result_type=ResultType.PDF)
    out = djvu.run(data, settings, readers, PipelineOptions())
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    print(json.dumps({"self": hwm * 1024, "pdf": len(out.results[0].data)}))
    """
)


def memory(path: Path) -> dict[str, int]:
    """A child's peak RSS converting ``path`` to a PDF (``self``), the PDF's size (``pdf``) and
    the largest peak RSS of a DjVuLibre tool it ran (``tool``), bytes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = ToolPeak(proc.pid)
    try:
        out, err = proc.communicate(timeout=1800)
    finally:
        tool = sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"the conversion failed: {err[-2000:]}")
    peak: dict[str, int] = json.loads(out)
    peak["tool"] = tool
    return peak


def speech_rows() -> list[dict[str, float]]:
    """Seconds of speech, CPU and wall time for texts of 1, 5 and 20 sentences."""
    from ocrhive.domain.recognition import RecognitionSettings
    from ocrhive.engines.registry import EngineRegistry
    from ocrhive.operations import speech
    from ocrhive.pipeline import PipelineOptions, Readers

    readers = Readers(engine=EngineRegistry())  # unused by speech, part of every handler's call

    rng = random.Random(SEED)
    rows = []
    for sentences in (1, 5, 20):
        text = " ".join(text_lines(rng, sentences))
        cpu, wall = _cpu(), time.perf_counter()
        outcome = speech.run(text.encode(), RecognitionSettings(), readers, PipelineOptions())
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        with wave.open(BytesIO(outcome.results[0].data)) as audio:
            seconds = audio.getnframes() / audio.getframerate()
        rows.append(
            {
                "sentences": sentences,
                "characters": len(text),
                "speech_s": seconds,
                "speech_s_per_char": seconds / len(text),
                "wav_bytes_per_char": len(outcome.results[0].data) / len(text),
                "cpu_s": cpu,
                "wall_s": wall,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10, help="pages per conversion timed")
    parser.add_argument("--read-pages", type=int, default=3, help="pages per recognising run")
    parser.add_argument("--memory-pages", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(SEED)
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, colour in (("bilevel", False), ("colour", True)):
            encoded = djvu_page(page_image(rng, colour=colour), root / f"{name}.djvu")
            document = repeated(encoded, args.pages, root / f"{name}-{args.pages}")
            wall, cpu, size = convert(document, "Pdf")
            report[f"convert {name}"] = {
                "pages": args.pages,
                "djvu_bytes_per_page": len(document) / args.pages,
                "pdf_bytes_per_page": size / args.pages,
                "wall_s_per_page": wall / args.pages,
                "cpu_s_per_page": cpu / args.pages,
            }
            few = repeated(encoded, args.read_pages, root / f"{name}-{args.read_pages}")
            wall, cpu, size = convert(few, "TextAndPdf")
            report[f"read {name} (TextAndPdf)"] = {
                "pages": args.read_pages,
                "wall_s_per_page": wall / args.read_pages,
                "cpu_s_per_page": cpu / args.read_pages,
            }
            if colour:
                one = root / "one.djvu"
                one.write_bytes(repeated(encoded, 1, root / "one"))
                many = root / "many.djvu"
                many.write_bytes(repeated(encoded, args.memory_pages, root / "many"))
                report["memory 1 page"] = memory(one)
                report[f"memory {args.memory_pages} pages"] = memory(many)
    report["speech"] = speech_rows()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
