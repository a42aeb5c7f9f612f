"""Demo data of the parts-suppliers plugin (idempotent): two suppliers' current lists of
parts for common Chinese-market cars, a pending new version for supplier 1 (so pricing
staff see a diff), localized prices, labour rates and Shanghai standards."""
from __future__ import annotations

import io
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import db

from .models import LaborRate, PriceList
from . import price_import, services

# part_no, name, make, model, genuine price, family, assembly_no
PARTS = [
    ("L18D807221", "前保险杠皮", "大众", "朗逸", "1280.00", "", ""),
    ("L18D807217", "后保险杠皮", "大众", "朗逸", "1150.00", "", ""),
    ("L18D941005", "左前大灯总成", "大众", "朗逸", "2380.00", "", ""),
    ("L18D941006", "右前大灯总成", "大众", "朗逸", "2380.00", "", ""),
    ("L18D845011", "前挡风玻璃", "大众", "朗逸", "1650.00", "glass", ""),
    ("L18D821021", "左前翼子板", "大众", "朗逸", "680.00", "", ""),
    ("L18D823031", "发动机盖", "大众", "朗逸", "1450.00", "", ""),
    ("L18D857507", "左外后视镜总成", "大众", "朗逸", "860.00", "", ""),
    ("L18D857521", "左外后视镜镜片", "大众", "朗逸", "180.00", "glass", "L18D857507"),
    ("L18D857537", "左外后视镜外壳", "大众", "朗逸", "120.00", "", "L18D857507"),
    ("L18D121253", "散热器", "大众", "朗逸", "980.00", "", ""),
    ("L18D820411", "空调冷凝器", "大众", "朗逸", "760.00", "", ""),
    ("0CW300041", "DQ200双离合变速箱总成", "大众", "朗逸/速腾", "18800.00", "gearbox", ""),
    ("5Q0959655", "安全气囊控制单元", "大众", "朗逸/速腾", "2680.00", "electronics", ""),
    ("5Q0907572", "前雷达传感器", "大众", "速腾", "3280.00", "electronics", ""),
    ("52119-02D90", "前保险杠", "丰田", "卡罗拉", "1380.00", "", ""),
    ("81150-02N40", "左前大灯总成", "丰田", "卡罗拉", "2680.00", "", ""),
    ("56101-02A50", "前挡风玻璃", "丰田", "卡罗拉", "1880.00", "glass", ""),
    ("53301-02270", "发动机盖", "丰田", "卡罗拉", "1580.00", "", ""),
    ("87940-02G10", "左外后视镜总成", "丰田", "卡罗拉", "960.00", "", ""),
    ("16400-0T140", "散热器", "丰田", "卡罗拉", "1050.00", "", ""),
    ("71101-TVA-A00", "前保险杠", "本田", "雅阁", "1680.00", "", ""),
    ("33150-TVA-H01", "左前大灯总成", "本田", "雅阁", "3980.00", "", ""),
    ("73111-TVA-H01", "前挡风玻璃", "本田", "雅阁", "2280.00", "glass", ""),
    ("60100-TVA-A00", "发动机盖(铝)", "本田", "雅阁", "1980.00", "aluminium", ""),
    ("62022-3RA0A", "前保险杠", "日产", "轩逸", "1080.00", "", ""),
    ("26060-3RA0A", "左前大灯总成", "日产", "轩逸", "1880.00", "", ""),
    ("72700-3RA0A", "前挡风玻璃", "日产", "轩逸", "1480.00", "glass", ""),
    ("39033251", "前保险杠", "别克", "英朗", "1180.00", "", ""),
    ("39033255", "左前大灯总成", "别克", "英朗", "2180.00", "", ""),
    ("8W0821105", "左前翼子板(铝)", "奥迪", "A4L", "1380.00", "aluminium", ""),
    ("8W0823029", "发动机盖(铝)", "奥迪", "A4L", "3680.00", "aluminium", ""),
]
EQUIVALENT = {"L18D807221", "L18D807217", "L18D821021", "L18D823031", "52119-02D90", "53301-02270",
              "71101-TVA-A00", "62022-3RA0A", "39033251"}
HEADER = "配件编号,配件名称,品质,品牌,车型,单价,起订量,供货周期,配件类别,所属总成\n"


def _csv(factor: dict, skip=(), extra=()) -> io.BytesIO:
    lines = [HEADER]
    for part_no, name, make, model, price, family, assembly in PARTS:
        if part_no in skip:
            continue
        f = factor.get(part_no, Decimal("1"))
        genuine = (Decimal(price) * f).quantize(Decimal("0.01"))
        lines.append(f"{part_no},{name},原厂,{make},{model},{genuine},1,2,{family},{assembly}\n")
        if part_no in EQUIVALENT:
            lines.append(f"{part_no},{name},同质,{make},{model},{(genuine * Decimal('0.62')).quantize(Decimal('0.01'))},"
                         f"1,3,{family},{assembly}\n")
    lines.extend(extra)
    return io.BytesIO("".join(lines).encode("gb18030"))


def load(demo) -> list[str]:
    supplier1, supplier2 = demo.orgs["supplier1"], demo.orgs["supplier2"]
    if db.session.scalar(sa.select(sa.func.count()).select_from(PriceList)
                         .where(PriceList.supplier_id.in_([supplier1.id, supplier2.id]))):
        return []
    pricing = demo.users.get("pricing")
    lines = []
    pl1 = price_import.import_price_list(supplier1, _csv({}), "华域价格表-2026Q3.csv")
    services.approve_price_list(pl1, pricing)
    s2 = {p[0]: Decimal(f) for p, f in zip(PARTS, ["0.96", "1.04", "0.98", "1.02", "1.05", "0.93"] * 6)}
    pl2 = price_import.import_price_list(supplier2, _csv(s2, skip={"0CW300041", "8W0823029"}), "正泰报价-2026-10.csv")
    services.approve_price_list(pl2, pricing)
    new = {"L18D807221": Decimal("1.04"), "L18D941005": Decimal("0.95"), "56101-02A50": Decimal("1.08"),
           "0CW300041": Decimal("0.97"), "33150-TVA-H01": Decimal("1.03"), "8W0823029": Decimal("0.90")}
    price_import.import_price_list(supplier1, _csv(new, skip={"16400-0T140"}, extra=[
        "17117-3RA0A,散热器,原厂,日产,轩逸,920.00,1,3,,\n",
        "5QD857521,右外后视镜镜片,原厂,大众,朗逸,185.00,1,2,glass,\n"]), "华域价格表-2026Q4.csv")
    lines.append("price lists: 2 current, 1 pending")
    admin = demo.users.get("admin")
    services.set_localized_price("L18D807221", "genuine", "上海", "1250.00", pricing)
    services.set_localized_price("56101-02A50", "genuine", "上海", "1820.00", pricing)
    services.set_regional_standard("上海", pricing or admin, labor_rate="110.00", towing_fee="300.00")
    for key, rate in (("garage1", "120.00"), ("garage2", "95.00")):
        if not db.session.scalar(sa.select(LaborRate.id).where(LaborRate.garage_id == demo.orgs[key].id)):
            services.set_labor_rate(demo.orgs[key].id, rate, pricing)
    lines.append("localized prices: 2; labour rates: 2; 上海 standards")
    return lines
