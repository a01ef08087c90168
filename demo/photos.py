"""Photos for the demo's model cases, drawn with Pillow (no image files shipped or fetched).

Each is a 640×400 JPEG of a simple scene — a meeting room under a red banner, a street with
volunteers, a classroom, a workshop — with the case's title on the banner and the unit's
name in a caption strip, like the photos units attach to a case.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 640, 400
RED = (196, 30, 36)
GOLD = (250, 210, 90)
SKIN = (236, 196, 160)
CLOTHES = [(40, 60, 110), (60, 60, 60), (230, 230, 235), (120, 40, 40), (50, 90, 70)]
# CJK fonts of the usual Linux packages (the Docker image installs fonts-wqy-microhei)
FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
]

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font | None:
    """A font that writes Chinese, or None (the photo then has no text)."""
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def _text(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, fill: tuple[int, int, int]
) -> None:
    font = _font(size)
    if font is not None:
        draw.text(xy, text, font=font, fill=fill)


def _centred(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, size: int
) -> None:
    font = _font(size)
    if font is None:
        return
    while size > 10 and draw.textlength(text, font=font) > box[2] - box[0] - 20:
        size -= 2
        font = _font(size)
        assert font is not None
    width = draw.textlength(text, font=font)
    x = box[0] + (box[2] - box[0] - width) / 2
    y = box[1] + (box[3] - box[1] - size) / 2 - 2
    draw.text((x, y), text, font=font, fill=GOLD)


def _person(
    draw: ImageDraw.ImageDraw, x: int, y: int, scale: float, rng: random.Random, hat: bool = False
) -> None:
    """Head and shoulders (or a whole figure from far) with its feet or seat at ``y``."""
    head = int(11 * scale)
    body_w, body_h = int(30 * scale), int(44 * scale)
    draw.rounded_rectangle(
        (x - body_w // 2, y - body_h, x + body_w // 2, y),
        radius=int(8 * scale),
        fill=rng.choice(CLOTHES),
    )
    draw.ellipse((x - head, y - body_h - 2 * head, x + head, y - body_h), fill=SKIN)
    hair = (30, 25, 20) if not hat else (240, 190, 30)
    draw.chord(
        (x - head, y - body_h - 2 * head - 1, x + head, y - body_h - head // 2), 180, 360, fill=hair
    )


def _banner(draw: ImageDraw.ImageDraw, title: str, top: int = 18) -> None:
    draw.rectangle((40, top, WIDTH - 40, top + 46), fill=RED)
    _centred(draw, (40, top, WIDTH - 40, top + 46), title, 24)


def _meeting(draw: ImageDraw.ImageDraw, title: str, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, 260), fill=(236, 228, 210))  # wall
    draw.rectangle((0, 260, WIDTH, HEIGHT), fill=(150, 110, 75))  # floor
    _banner(draw, title)
    draw.rectangle((200, 80, 440, 200), fill=(250, 250, 250), outline=(90, 90, 90), width=3)
    draw.rectangle((215, 95, 425, 185), fill=(214, 60, 50))
    _text(draw, (250, 125), "学思想 强党性", 24, (255, 240, 200))
    draw.rectangle((60, 250, WIDTH - 60, 290), fill=(110, 70, 40))  # table
    for i in range(7):
        _person(draw, 95 + i * 75 + rng.randint(-6, 6), 250, 1.0, rng)
    for i in range(6):
        _person(draw, 130 + i * 80 + rng.randint(-6, 6), 385, 1.35, rng)


def _street(draw: ImageDraw.ImageDraw, title: str, rng: random.Random) -> None:
    for y in range(0, 230):  # sky
        shade = 255 - y // 3
        draw.line((0, y, WIDTH, y), fill=(150, 200, shade))
    for i, x in enumerate(range(0, WIDTH, 130)):  # houses
        height = 120 + (i * 37) % 70
        draw.rectangle((x + 5, 230 - height, x + 120, 230), fill=(225, 215, 200))
        for wy in range(240 - height, 215, 28):
            for wx in range(x + 18, x + 110, 30):
                draw.rectangle((wx, wy, wx + 16, wy + 16), fill=(120, 160, 190))
    draw.rectangle((0, 230, WIDTH, HEIGHT), fill=(170, 170, 165))  # road
    draw.rectangle((0, 300, WIDTH, 306), fill=(250, 250, 250))
    for x in (30, 600):  # trees
        draw.rectangle((x - 5, 170, x + 5, 240), fill=(100, 70, 40))
        draw.ellipse((x - 35, 110, x + 35, 190), fill=(60, 140, 70))
    _banner(draw, title, top=60)
    for i in range(6):
        x = 90 + i * 90 + rng.randint(-10, 10)
        _person(draw, x, 360 + rng.randint(-12, 12), 1.4, rng)
        draw.rectangle((x - 21, 318, x + 21, 326), fill=RED)  # volunteers' sashes


def _classroom(draw: ImageDraw.ImageDraw, title: str, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, 270), fill=(240, 236, 225))
    draw.rectangle((0, 270, WIDTH, HEIGHT), fill=(190, 160, 120))
    _banner(draw, title)
    draw.rectangle((120, 80, 520, 220), fill=(40, 80, 60), outline=(120, 90, 60), width=6)
    _text(draw, (150, 100), "理论微课堂", 30, (250, 250, 245))
    _text(draw, (150, 150), "学思想 · 强党性 · 重实践", 20, (250, 250, 245))
    _person(draw, 560, 300, 1.5, rng)  # the teacher
    for row, y in enumerate((320, 390)):
        for i in range(6 - row):
            x = 70 + row * 40 + i * 85 + rng.randint(-5, 5)
            _person(draw, x, y, 1.1 + row * 0.25, rng)
            draw.rectangle((x - 30, y - 8, x + 30, y), fill=(160, 120, 70))  # desk


def _workshop(draw: ImageDraw.ImageDraw, title: str, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, 280), fill=(205, 210, 215))
    draw.rectangle((0, 280, WIDTH, HEIGHT), fill=(120, 125, 130))
    for x in range(0, WIDTH, 80):  # roof trusses
        draw.line((x, 0, x + 40, 70), fill=(150, 155, 160), width=4)
    _banner(draw, title, top=80)
    for x in (40, 250, 460):  # machines
        draw.rectangle((x, 170, x + 150, 290), fill=(70, 110, 150))
        draw.rectangle((x + 20, 190, x + 70, 230), fill=(200, 220, 235))
        draw.ellipse((x + 95, 195, x + 130, 230), fill=(230, 120, 40))
    for i in range(5):
        _person(draw, 100 + i * 110 + rng.randint(-10, 10), 385, 1.45, rng, hat=True)


SCENES: dict[str, Callable[[ImageDraw.ImageDraw, str, random.Random], None]] = {
    "meeting": _meeting,
    "street": _street,
    "classroom": _classroom,
    "workshop": _workshop,
}


def case_photo(title: str, unit_name: str, scene: str) -> SimpleUploadedFile:
    """A JPEG of ``scene`` with ``title`` on its banner and ``unit_name`` as its caption."""
    rng = random.Random(f"{title}/{scene}")  # noqa: S311 - the same picture every run
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    SCENES[scene](draw, title, rng)
    draw.rectangle((0, HEIGHT - 34, WIDTH, HEIGHT), fill=(30, 30, 30))
    _text(draw, (14, HEIGHT - 29), unit_name, 18, (245, 245, 245))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{scene}.jpg", buffer.getvalue(), content_type="image/jpeg")
