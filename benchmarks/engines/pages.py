"""Generated test pages for the engine benchmarks: two-column articles, forms, snippets, CJK."""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.accuracy import synthetic
from PIL import Image, ImageDraw, ImageFont

RECEIPTS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dev-receipts"

#: Fonts that draw Chinese and Japanese (Debian ``fonts-wqy-zenhei``; Noto CJK works as well).
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)

#: Short prose written for this project, one paragraph per entry.
CHINESE = (
    "今天早上天气很好，我们一起去公园散步。",
    "这家商店每天上午九点开门，晚上八点关门。",
    "请在下周五之前把报告发给我，谢谢。",
    "火车站离这里不远，走路大约十分钟。",
    "我们公司在北京和上海都有办公室。",
    "他每天晚上读一个小时的书。",
)
JAPANESE = (
    "今日はとても良い天気ですね。",
    "駅までの道を教えてください。",
    "この店は毎朝九時に開きます。",
    "来週の会議は月曜日の午後です。",
    "私は毎日電車で会社に行きます。",
    "東京の夏はとても暑いです。",
)


def two_columns(seed: int, *, size_px: int = 34) -> tuple[Image.Image, str]:
    """A two-column article page; the truth reads the left column, then the right one."""
    return columns(seed, 2, width=1150, size_px=size_px)


def columns(seed: int, count: int, *, width: int, size_px: int) -> tuple[Image.Image, str]:
    """A page of ``count`` columns ``width`` px wide, two paragraphs each (a magazine page at
    three or four); the truth reads the columns left to right."""
    rng = random.Random(seed)
    paragraphs = rng.sample(synthetic.PROSE, 2 * count)
    rendered = [
        synthetic.render_page(paragraphs[2 * c : 2 * c + 2], size_px=size_px, width=width)
        for c in range(count)
    ]
    page = Image.new("L", (width * count, max(image.height for image, _ in rendered)), 255)
    for c, (image, _truth) in enumerate(rendered):
        page.paste(image, (c * width, 0))
    return page, "\n".join(truth for _image, truth in rendered)


def form(seed: int) -> tuple[Image.Image, str]:
    """An ID-card-like form: short label/value pairs scattered over the page."""
    rng = random.Random(seed)
    fields = [
        ("Surname", "HARRISON"),
        ("Given names", "Martha Jane"),
        ("Date of birth", "14 MAR 1987"),
        ("Document no", "X4471902"),
        ("Nationality", "British"),
        ("Expiry", "02 JUL 2031"),
        ("Place of birth", "Leeds"),
        ("Sex", "F"),
    ]
    face = synthetic.font("DejaVuSans.ttf", 30)
    page = Image.new("L", (1600, 1000), 255)
    draw = ImageDraw.Draw(page)
    truth = []
    for row, (label, value) in enumerate(fields):
        x = 60 + rng.randint(0, 2) * 500
        y = 60 + row * 110
        draw.text((x, y), label, fill=90, font=synthetic.font("DejaVuSans.ttf", 22))
        draw.text((x, y + 32), value, fill=0, font=face)
        truth.append(f"{label} {value}")
    return page, "\n".join(truth)


def snippet(seed: int) -> tuple[Image.Image, str]:
    """A small image of two or three lines (a screenshot crop or a label)."""
    rng = random.Random(seed)
    words = " ".join(rng.sample(synthetic.PROSE, 1)[0].split()[:18])
    return synthetic.render_page((words,), size_px=28, width=760, margin=20)


def cjk_font() -> Path:
    """The first installed CJK font (see :data:`CJK_FONTS`)."""
    for path in CJK_FONTS:
        if path.exists():
            return path
    raise FileNotFoundError("no CJK font: apt-get install fonts-wqy-zenhei")


def cjk_page(lines: tuple[str, ...], *, size_px: int = 40) -> tuple[Image.Image, str]:
    """Black CJK text on white, one sentence per line."""
    face = ImageFont.truetype(str(cjk_font()), size_px)
    step = round(size_px * 1.6)
    width = 2 * 60 + max(round(face.getlength(line)) for line in lines)
    page = Image.new("L", (width, 2 * 60 + step * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for row, line in enumerate(lines):
        draw.text((60, 60 + row * step), line, fill=0, font=face)
    return page, "\n".join(lines)


def receipts() -> list[tuple[str, Image.Image, str]]:
    """The shared real receipt scans with their ground truth."""
    out = []
    for image in sorted(RECEIPTS.glob("*.jpg")):
        truth = image.with_suffix(".gt.txt").read_text(encoding="utf-8")
        out.append((image.stem, Image.open(image).convert("L"), truth))
    return out
