"""Demo claims (演示赔案): Shanghai plates, valid VINs, places in Shanghai, every colour,
assigned to the demo garages, the salvage vendor and the law firm. Idempotent."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import LOCAL_TZ, local_now
from . import services
from .models import Claim
from .vin import with_check_digit

D = Decimal

# claim no suffix, days ago, accident hh:mm, report delay (minutes), policy started days before, plate, vin (check
# digit filled in), model, first registration year, actual value, place, description, estimated loss,
# property loss, loss ratio, claims in year, flags, assignments [(org key, purpose)], insured, cover
CLAIMS = [
    ("101", 3, "10:20", 25, 220, "沪A·5K821", "LSVAM4187N2183294", "上汽大众 朗逸 1.5L 2022款", 2022, "98000",
     "上海市浦东新区张杨路与源深路交叉口", "倒车时刮擦路边石墩，后保险杠及右后翼子板受损。", "3800", "0", "0.15", 1,
     {"single_party": True, "first_scene_reported": True, "driver_is_insured": True},
     [("garage1", "repair")], "张建国", "120000"),
    ("102", 5, "14:05", 190, 300, "沪B·7D336", "LFV2A21K8P3047716", "一汽-大众 速腾 280TSI 2023款", 2023, "142000",
     "上海市闵行区沪闵路莘庄立交下匝道", "跟车追尾前车，前保险杠、机盖、水箱框架受损，双方无人伤。", "12600", "0", "0.42", 2,
     {"first_scene_reported": True, "driver_is_insured": True},
     [("garage1", "repair")], "李秀英", "160000"),
    ("103", 2, "23:40", 35, 400, "沪C·M9078", "LGBH52E09L0312875", "东风日产 天籁 2.0L 2020款", 2020, "115000",
     "上海市徐汇区龙耀路隧道出口", "夜间行驶撞击隧道出口护栏，车头及左前轮毂受损。", "28000", "3500", "0.25", 1,
     {"single_party": True, "first_scene_reported": True},
     [("garage2", "repair")], "王海涛", "135000"),
    ("104", 8, "16:30", 3 * 24 * 60, 4, "沪D·23F47", "LVSHCAMB1KE528614", "长安福特 福克斯 1.5T 2019款", 2019, "68000",
     "上海市宝山区蕰川路富联路口", "事故三天后报案，右侧车门凹陷，保单起保后第四天出险。", "9400", "0", "0.00", 0,
     {"driver_is_insured": True},
     [("garage2", "repair")], "赵丽华", "90000"),
    ("105", 6, "13:10", 50, 260, "沪E·L6652", "LRW3E7EA6NC164093", "特斯拉 Model 3 后驱版 2022款", 2022, "210000",
     "上海市嘉定区嘉闵高架北向曹安公路出口", "车辆行驶中起火，整车烧毁，消防到场处置，推定全损。", "205000", "0", "0.10", 1,
     {"single_party": True, "fire": True, "total_loss": True, "first_scene_reported": True},
     [("salvage1", "salvage")], "孙志强", "230000"),
    ("106", 4, "11:45", 40, 150, "沪A·88G99", "WP1AB2920PLA31548", "保时捷 Cayenne E-Hybrid 2023款", 2023, "1280000",
     "上海市静安区南京西路与陕西北路路口", "右转时与非机动车剐蹭，右前叶子板及大灯受损。", "46000", "800", "0.20", 1,
     {"first_scene_reported": True, "driver_is_insured": True},
     [("garage1", "repair")], "上海锦程投资管理有限公司", "1300000"),
    ("107", 12, "09:15", 45, 310, "沪F·3Q205", "LHGCR2651J8033417", "广汽本田 雅阁 2.0L 2018款", 2018, "72000",
     "上海市杨浦区黄兴路与控江路交叉口", "路口与三者车辆相撞，三者车上一人轻伤，对方拒绝承担责任，拟诉讼追偿。", "18500", "6200", "0.38", 2,
     {"injury": True, "first_scene_reported": True, "driver_is_insured": True},
     [("garage2", "repair"), ("lawfirm1", "counsel")], "周明", "95000"),
    ("108", 1, "15:30", 20, 120, "沪G·K1180", "LBV8W3109PMG72361", "华晨宝马 3系 325Li 2023款", 2023, "265000",
     "上海市松江区人民北路与荣乐中路路口", "停车场内低速刮擦立柱，左后门漆面受损。", "4200", "600", "0.05", 0,
     {"single_party": True, "first_scene_reported": True, "driver_is_insured": True},
     [("garage2", "repair")], "陈晓燕", "280000"),
    ("109", 9, "17:50", 80, 330, "沪H·9P712", "LSGKE54H3MW086625", "上汽通用 别克GL8 2021款", 2021, "235000",
     "上海市青浦区沪青平公路赵巷段", "本保单年度第四次出险，前杠及中网受损。", "7600", "0", "0.72", 4,
     {"first_scene_reported": True},
     [], "吴建华", "240000"),
]

# seed 002's facts per claim: vehicle use (使用性质), origin, who reported it (报案人)
SEED_FACTS = {
    "101": ("private", "domestic", "insured"), "102": ("private", "domestic", "insured"),
    "103": ("private", "domestic", "driver"), "104": ("private", "domestic", "insured"),
    "105": ("private", "domestic", "insured"), "106": ("commercial", "imported", "driver"),
    "107": ("private", "domestic", "insured"), "108": ("private", "domestic", "insured"),
    "109": ("commercial", "domestic", "insured"),
}


def _t(text: str) -> time:
    return time.fromisoformat(text)


def load_demo_claims(demo) -> list[str]:
    today = local_now().date()
    actor = demo.users.get("admin")
    added = 0
    for (suffix, days_ago, hhmm, delay, started, plate, vin, model, reg_year, value, place, description, loss,
         prop, ratio, count, flags, assign, insured, cover) in CLAIMS:
        claim_no = f"RDAA2026310000000{suffix}"
        claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == claim_no))
        if claim is None:
            accident_day = today - timedelta(days=days_ago)
            accident_at = datetime.combine(accident_day, _t(hhmm), tzinfo=LOCAL_TZ)
            policy_start = accident_day - timedelta(days=started)
            claim = services.create_claim({
                "claim_no": claim_no, "policy_no": f"PDAA2026310{int(suffix):09d}"[:22],
                "policy_start": policy_start, "policy_end": policy_start + timedelta(days=364),
                "insured_name": insured, "plate": plate, "vin": with_check_digit(vin), "model": model,
                "first_registration": accident_day.replace(year=reg_year, month=3, day=15),
                "actual_value": D(value), "policy_cover": D(cover),
                "accident_at": accident_at, "reported_at": accident_at + timedelta(minutes=delay),
                "place": place, "region": "上海", "description": description,
                "estimated_loss": D(loss), "property_loss": D(prop), "loss_ratio": D(ratio), "claims_in_year": count,
                "flags": flags, **dict(zip(("vehicle_use", "origin", "reported_by"), SEED_FACTS[suffix])),
            }, actor=actor)
            for org_key, purpose in assign:
                services.assign_claim(claim, demo.orgs[org_key].id, purpose, actor=actor)
            added += 1
        demo.claims[claim_no] = claim
    db.session.flush()
    colors = {}
    for c in demo.claims.values():
        colors[c.risk_color] = colors.get(c.risk_color, 0) + 1
    return [f"claims: {len(demo.claims)} ({added} new; " + ", ".join(f"{k} {v}" for k, v in sorted(colors.items()))
            + ")"]
