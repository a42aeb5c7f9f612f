"""Small real images for upload tests (made by Pillow, as a camera's would be read)."""
from __future__ import annotations

import io


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")


def scene(seed: int, size: tuple[int, int] = (640, 480)):
    """A picture of its own (a camera's photo of one scene): coloured shapes placed by ``seed``,
    so that two seeds give two pictures whose perceptual hashes are far apart."""
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(25):
        x0, y0 = rnd.randrange(size[0]), rnd.randrange(size[1])
        box = [x0, y0, x0 + rnd.randrange(20, size[0] // 2), y0 + rnd.randrange(20, size[1] // 2)]
        (draw.rectangle if rnd.random() < 0.5 else draw.ellipse)(box, fill=tuple(rnd.randrange(256) for _ in range(3)))
    return img


def photo_bytes(seed: int, fmt: str = "JPEG", size: tuple[int, int] = (640, 480), quality: int = 85,
                taken_at: str | None = None) -> bytes:
    """``scene(seed)`` encoded as a camera would; ``taken_at`` ("YYYY:MM:DD HH:MM:SS", local time)
    written as EXIF DateTimeOriginal."""
    img = scene(seed, size)
    buf = io.BytesIO()
    kw = {"quality": quality} if fmt == "JPEG" else {}
    if taken_at is not None:
        exif = img.getexif()
        exif.get_ifd(0x8769)[36867] = taken_at
        kw["exif"] = exif.tobytes()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()
