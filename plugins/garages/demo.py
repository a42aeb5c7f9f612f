"""Demo quotes (``flask --app portal demo``) on the demo claims assigned to garage1/garage2."""
from __future__ import annotations

import io
import random
from datetime import time, timedelta

import sqlalchemy as sa

from portal.plugin import LOCAL_TZ, Assignment, Claim, db, local_datetime, utcnow

from . import services
from .models import Decision, Quote

LINES = [
    [{"kind": "part", "part_no": "1K0807221", "name": "前保险杠皮", "quality": "genuine", "quantity": "1",
      "unit_price": "1280.00"},
     {"kind": "labor", "name": "拆装前保险杠", "quantity": "1.5", "unit_price": "120.00"},
     {"kind": "paint", "name": "前保险杠喷漆", "quantity": "3", "unit_price": "150.00"}],
    [{"kind": "part", "part_no": "5G0941005", "name": "左前大灯总成", "quality": "genuine", "quantity": "1",
      "unit_price": "4680.00"},
     {"kind": "part", "part_no": "5G0845011", "name": "前挡风玻璃", "quality": "equivalent", "quantity": "1",
      "unit_price": "1650.00"},
     {"kind": "material", "name": "冷却液", "quantity": "7", "unit_price": "35.00"},
     {"kind": "rescue", "name": "拖车（事故现场至修理厂）", "quantity": "1", "unit_price": "600.00"}],
]


def damage_photo(seed: int):
    """A generated photo (coloured shapes placed by ``seed``, so no two demo photos look alike) as
    an upload: a submission needs its damage photos (``min_damage_photos``)."""
    from PIL import Image, ImageDraw
    from werkzeug.datastructures import FileStorage

    rnd = random.Random(seed)
    img = Image.new("RGB", (800, 600), tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(25):
        x, y = rnd.randrange(800), rnd.randrange(600)
        box = [x, y, x + rnd.randrange(20, 400), y + rnd.randrange(20, 300)]
        (draw.rectangle if rnd.random() < 0.5 else draw.ellipse)(box, fill=tuple(rnd.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    buf.seek(0)
    return FileStorage(stream=buf, filename=f"damage-{seed}.jpg", content_type="image/jpeg")


def load(demo) -> list[str]:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Quote)):
        return ["repair quotes: already there"]
    made = []
    for key in ("garage1", "garage2"):
        org, user = demo.orgs.get(key), demo.users.get(key)
        if org is None or user is None:
            continue
        claims = db.session.scalars(sa.select(Claim).join(Assignment, Assignment.claim_id == Claim.id).where(
            Assignment.organization_id == org.id, Assignment.purpose == "repair",
            Assignment.ended_at.is_(None)).order_by(Claim.id)).all()
        for i, claim in enumerate(claims[:3]):
            quote = services.create_quote(claim.claim_no, user, LINES[i % 2])
            if i != 2:   # submitted with its damage photo
                services.add_photo(quote, user, damage_photo(claim.id * 10 + i), "damage")
                services.submit_quote(quote, user)
            made.append(quote)
    if not made:
        return ["repair quotes: none (no demo claims assigned to the garages yet)"]
    reviewer = demo.users.get("assessor2")
    in_review = [q for q in made if q.status == "submitted"]
    if reviewer is not None and len(in_review) >= 2:
        q = in_review[0]
        services.decide(q, reviewer, "return", q.version, "请补充前杠拆检照片并说明大灯损坏原因",
                        [{"id": q.lines[0].id, "approved_unit_price": str(q.lines[0].unit_price * 8 / 10),
                          "reason": "PRICE_HIGH"}])
        for q, days in zip(in_review[1:3], (39, 12)):   # approved weeks ago: their payment clocks run
            services.decide(q, reviewer, "approve", q.version, "核定")
            backdate(q, days)
    db.session.flush()
    return [f"repair quotes: {len(made)} ({', '.join(sorted({q.status for q in made}))})"]


def backdate(quote: Quote, days: int) -> None:
    """The demo's approval ``days`` ago: submitted at 10:00 the day before, approved at 15:00."""
    approved_at = local_datetime((utcnow() - timedelta(days=days)).astimezone(LOCAL_TZ).date(), time(15))
    submitted_at = approved_at - timedelta(days=1, hours=5)
    quote.submitted_at = quote.first_submitted_at = submitted_at
    quote.decided_at = approved_at
    for decision in db.session.scalars(sa.select(Decision).where(Decision.quote_id == quote.id)):
        decision.at = submitted_at if decision.action == "submit" else approved_at
