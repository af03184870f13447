"""A document's pages spread over the workers: one generated 40-page PDF read by a warm
embedded server with 1 worker and with 2 (and by a cluster of 1 and 2 worker nodes), and the
whole process tree's peak memory while a 120-page PDF is read against a 1-page PDF.

    python -m benchmarks.speed.pages [--pages 40] [--rounds 2] [--memory-pages 120] [--no-cluster]

Each deployment reads one warm-up document first (engines load lazily), then the timed ones;
a run's time goes from the submit to the GET that sees it Completed. The PDFs are generated
here with fixed text (no randomness), small pages so the benchmark stays short. Every process
is started in a temporary folder and stopped when the script ends.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
from benchmarks.speed.cluster import (
    Deployment,
    descendants,
    rss_pss_kib,
    sampled_memory,
    start_cluster,
    start_embedded,
)
from PIL import Image, ImageDraw, ImageFont

RUN_TIMEOUT = 900.0
PATH = "/v5.0/ocr/RecognizePdf"


def page_lines(number: int) -> list[str]:
    """The text of page ``number`` (1-based): it says which page it is."""
    return [
        f"This is page {number} of the document.",
        "Seven wizards quickly jinxed the gnomes.",
        f"Reference QX-{7000 + number} closes page {number}.",
    ]


def document_pdf(pages: int, *, dpi: int = 200, broken: int | None = None) -> bytes:
    """A scanned-looking PDF of ``pages`` small bilevel pages (1000 × 230 px at ``dpi``).

    With ``broken`` (1-based), that page's image is over 60 MP once rendered at 200 dpi: a
    server whose pixel limit is below it fails that page and no other.
    """
    font = ImageFont.load_default(size=30)
    images = []
    for number in range(1, pages + 1):
        image = Image.new("L", (1000, 230), 255)
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(page_lines(number)):
            draw.text((30, 30 + 60 * row), line, fill=0, font=font)
        images.append(image.convert("1", dither=Image.Dither.NONE))
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    data = buf.getvalue()
    if broken is None:
        return data
    return _enlarge_page(data, broken)


def _enlarge_page(data: bytes, number: int) -> bytes:
    """``data`` with page ``number``'s media box made huge (130 × 130 inches)."""
    import pypdfium2 as pdfium  # only this helper needs it

    doc = pdfium.PdfDocument(data)
    try:
        page = doc[number - 1]
        page.set_mediabox(0, 0, 130 * 72, 130 * 72)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
    finally:
        doc.close()


def read(dep: Deployment, pdf: bytes, result_type: str = "Text") -> tuple[float, dict[str, object]]:
    """Submit ``pdf`` to RecognizePdf and wait until it is final; (seconds, envelope)."""
    body = json.dumps(
        {"image": base64.b64encode(pdf).decode("ascii"), "settings": {"resultType": result_type}}
    )
    headers = {"Authorization": f"Bearer {dep.token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=dep.url, headers=headers, timeout=60) as client:
        start = time.perf_counter()
        response = client.post(PATH, content=body)
        response.raise_for_status()
        task_id = response.text.strip()
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            envelope: dict[str, object] = client.get(PATH, params={"id": task_id}).json()
            if envelope["taskStatus"] not in ("Pending", "Processing"):
                return time.perf_counter() - start, envelope
            time.sleep(0.05)
    raise RuntimeError(f"{dep.name}: the document was not read within {RUN_TIMEOUT} s")


def timed(dep: Deployment, pdf: bytes, rounds: int) -> list[float]:
    """Seconds of ``rounds`` reads of ``pdf`` (after one warm-up read)."""
    read(dep, document_pdf(2))
    times = []
    for _ in range(rounds):
        seconds, envelope = read(dep, pdf)
        if envelope["taskStatus"] != "Completed":
            raise RuntimeError(f"{dep.name}: {envelope}")
        times.append(seconds)
    return times


def memory(dep: Deployment, pages: int) -> dict[str, float]:
    """Whole-tree peaks (RSS and PSS sums, MiB) while a 1-page and a ``pages``-page PDF are
    read, and the idle tree before them."""
    read(dep, document_pdf(2))  # warm: the engines are loaded before the baseline
    time.sleep(1.0)
    idle_rss, idle_pss = rss_pss_kib(descendants(dep.roots()))
    out = {"idle_rss": idle_rss / 1024, "idle_pss": idle_pss / 1024}
    for label, count in (("one", 1), ("many", pages)):
        with sampled_memory(dep, interval=0.1) as samples:
            _, envelope = read(dep, document_pdf(count), result_type="TextAndPdf")
        if envelope["taskStatus"] != "Completed":
            raise RuntimeError(f"{dep.name}: {envelope}")
        out[f"{label}_rss"] = max(s[0] for s in samples) / 1024
        out[f"{label}_pss"] = max(s[1] for s in samples) / 1024
    return out


def compare(
    name: str, start: Callable[[ExitStack, Path, int], Deployment], pdf: bytes, rounds: int
) -> tuple[float, float]:
    """Median seconds on 1 worker and on 2, each deployment started fresh."""
    medians = []
    for workers in (1, 2):
        with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
            dep = start(stack, Path(tmp) / "run", workers)
            times = timed(dep, pdf, rounds)
        medians.append(statistics.median(times))
        print(f"{name}, {workers} worker(s): {', '.join(f'{t:.2f}' for t in times)} s")
    return medians[0], medians[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--memory-pages", type=int, default=120)
    parser.add_argument("--no-cluster", action="store_true")
    args = parser.parse_args(argv)
    pdf = document_pdf(args.pages)
    rows = []
    one, two = compare("embedded", start_embedded, pdf, args.rounds)
    rows.append(("embedded", one, two))
    if not args.no_cluster:
        one, two = compare(
            "cluster", lambda s, f, w: start_cluster(s, f, nodes=w, concurrency=1), pdf, args.rounds
        )
        rows.append(("cluster (1 API node, worker nodes of concurrency 1)", one, two))
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        peaks = memory(start_embedded(stack, Path(tmp) / "memory", 2), args.memory_pages)
    print()
    print(f"{args.pages}-page PDF, median of {args.rounds}: 1 worker → 2 workers")
    for name, one, two in rows:
        print(f"  {name}: {one:.2f} s → {two:.2f} s, speed-up {one / two:.2f}×")
    print(f"Whole tree (embedded, 2 workers; TextAndPdf), MiB: idle RSS {peaks['idle_rss']:.0f}")
    for kind in ("rss", "pss"):
        one_peak, many_peak = peaks[f"one_{kind}"], peaks[f"many_{kind}"]
        idle = peaks[f"idle_{kind}"]
        print(
            f"  peak {kind.upper()}: 1 page {one_peak:.0f} (+{one_peak - idle:.0f}), "
            f"{args.memory_pages} pages {many_peak:.0f} (+{many_peak - idle:.0f}); "
            f"ratio {many_peak / one_peak:.2f}×"
        )


if __name__ == "__main__":
    main()
