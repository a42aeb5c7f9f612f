"""The demo data set (``flask --app portal demo``): idempotent. Logins are in README."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from .auth.models import Organization, User
from .auth.passwords import DEMO_PASSWORD   # the README's public demo password
from .auth.services import create_organization, create_user
from .auth.uscc import uscc_with_check
from .extensions import db
from .plugins import flatten, hook

ORGS = [
    # key, kind, name, uscc first 17, region, grade
    ("insurer", "insurer", "华安财产保险股份有限公司 上海分公司", "91310000MA1FL1001", "上海", None),
    ("garage1", "garage", "上海浦东永达汽车维修有限公司", "91310115MA1GA2001", "上海", "A"),
    ("garage2", "garage", "上海闵行顺通汽车修理厂", "91310112MA1GA2002", "上海", "C"),
    ("supplier1", "parts_supplier", "上海华域汽车配件有限公司", "91310000MA1PC3001", "上海", "B"),
    ("supplier2", "parts_supplier", "江苏正泰汽配贸易有限公司", "91320000MA1PC3002", "上海", "B"),
    ("salvage1", "salvage_vendor", "上海联拍报废机动车回收有限公司", "91310000MA1RC4001", "上海", "A"),
    ("salvage2", "salvage_vendor", "浙江宏达再生资源有限公司", "91330000MA1RC4002", "上海", "B"),
    ("lawfirm1", "law_firm", "上海申衡律师事务所", "31310000MA1LF5001", "上海", "A"),
    ("specialist1", "specialist_repairer", "上海晶亮汽车玻璃修复中心", "91310000MA1RP6001", "上海", "B"),
]

USERS = [
    # key, org key, email, name, roles, authority limit (None: none; "unlimited")
    ("admin", "insurer", "admin@demo.example", "系统管理员 Admin", ["admin"], "unlimited"),
    ("assessor", "insurer", "assessor@demo.example", "核损员 王磊", ["assessor"], "20000"),
    ("assessor2", "insurer", "assessor2@demo.example", "核损员 李娜", ["assessor"], "50000"),
    ("supervisor", "insurer", "supervisor@demo.example", "核损主管 陈静", ["supervisor"], "200000"),
    ("director", "insurer", "director@demo.example", "理赔总监 周强", ["supervisor"], "2000000"),
    ("pricing", "insurer", "pricing@demo.example", "报价员 赵敏", ["pricing"], None),
    ("legal", "insurer", "legal@demo.example", "法务 孙悦", ["legal"], None),
    ("garage1", "garage1", "garage1@demo.example", "永达 定损员 张伟", ["partner_admin"], None),
    ("garage1b", "garage1", "estimator@demo.example", "永达 估价员 刘洋", ["partner_user"], None),
    ("garage2", "garage2", "garage2@demo.example", "顺通 定损员 黄勇", ["partner_admin"], None),
    ("supplier1", "supplier1", "supplier1@demo.example", "华域 价格专员 吴婷", ["partner_admin"], None),
    ("supplier2", "supplier2", "supplier2@demo.example", "正泰 价格专员 郑浩", ["partner_admin"], None),
    ("salvage1", "salvage1", "salvage1@demo.example", "联拍 业务员 冯涛", ["partner_admin"], None),
    ("salvage2", "salvage2", "salvage2@demo.example", "宏达 业务员 何军", ["partner_admin"], None),
    ("lawfirm1", "lawfirm1", "lawyer@demo.example", "申衡 律师 马丽", ["partner_admin"], None),
    ("specialist1", "specialist1", "specialist@demo.example", "晶亮 技师 许刚", ["partner_admin"], None),
]


@dataclass
class DemoContext:
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    claims: dict = field(default_factory=dict)
    password: str = DEMO_PASSWORD


def load_demo() -> list[str]:
    demo = DemoContext()
    added_orgs = added_users = 0
    for key, kind, name, first17, region, grade in ORGS:
        uscc = uscc_with_check(first17)
        org = db.session.scalar(sa.select(Organization).where(Organization.uscc == uscc))
        if org is None:
            if kind == "insurer":
                org = db.session.scalar(sa.select(Organization).where(Organization.kind == "insurer"))
            if org is None:
                org = create_organization(kind=kind, name=name, uscc=uscc, region=region)
                org.grade = grade
                added_orgs += 1
        demo.orgs[key] = org
    db.session.flush()
    for key, org_key, email, name, roles, limit in USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = create_user(email=email, name=name, password=DEMO_PASSWORD, demo=True,
                               organization_id=demo.orgs[org_key].id, roles=roles,
                               authority_limit=Decimal(limit) if limit not in (None, "unlimited") else None,
                               unlimited_authority=limit == "unlimited")
            user.locale = "zh"
            added_users += 1
        demo.users[key] = user
    db.session.flush()
    lines = [f"organizations: {len(demo.orgs)} ({added_orgs} new)", f"users: {len(demo.users)} ({added_users} new)"]
    for result in flatten(hook().portal_demo_data(demo=demo)):
        lines.append(str(result))
    db.session.commit()
    lines.append(f"demo logins: see README (password {DEMO_PASSWORD})")
    return lines
