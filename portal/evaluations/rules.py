"""Versioned programme rules of the scorecards (考核规则): weights, brackets, grade bounds.

Version 1 is made from the defaults of the metrics the plugins register
(``portal_evaluation_metrics``) and ``EVALUATION_GRADE_BOUNDS``; admins publish new
versions. Published versions are never changed, so an old scorecard is explained by the
rules it names (``Scorecard.rules_version``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record_audit
from ..errors import Invalid, NotFound
from ..extensions import db
from ..plugins import flatten, hook
from .metrics import Bracket, MetricDefinition
from .models import EvaluationRules

log = logging.getLogger(__name__)
DEFAULT_GRADE_BOUNDS = {"A": "90", "B": "75", "C": "60"}
HUNDRED = Decimal(100)


def registered_metrics(app=None) -> list[MetricDefinition]:
    """Every metric the enabled plugins contribute, in registration order."""
    return list(flatten(hook(app).portal_evaluation_metrics()))


def _num(value) -> str | None:
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def metric_config(defn: MetricDefinition) -> dict:
    """A plugin's metric as rules. Its brackets go in ascending order (the rules' form; a
    plugin may list them best first — the order says nothing, the bounds do)."""
    brackets = sorted(defn.brackets, key=lambda b: (b.lower is not None, b.lower if b.lower is not None else 0))
    return {
        "label": str(defn.label), "unit": defn.unit, "higher_is_better": bool(defn.higher_is_better),
        "weight": _num(defn.weight), "missing_points": "100",
        "brackets": [[_num(b.lower), _num(b.upper), _num(b.points)] for b in brackets],
    }


def default_config(metrics: list[MetricDefinition] | None = None) -> dict:
    metrics = registered_metrics() if metrics is None else metrics
    bounds = current_app.config.get("EVALUATION_GRADE_BOUNDS") or DEFAULT_GRADE_BOUNDS
    kinds: dict[str, dict] = {}
    for defn in metrics:
        kinds.setdefault(defn.org_kind, {})[defn.code] = metric_config(defn)
    return {"grade_bounds": {k: _num(v) for k, v in bounds.items()}, "kinds": kinds}


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class MetricRule:
    code: str
    label: str
    unit: str
    higher_is_better: bool
    weight: Decimal
    brackets: tuple[Bracket, ...]
    missing_points: Decimal


@dataclass(frozen=True)
class Rules:
    version: int
    grade_bounds: tuple[tuple[str, Decimal], ...]   # (("A", 90), ("B", 75), ("C", 60))
    kinds: dict                                     # kind → [MetricRule]

    def grade(self, total: Decimal) -> str:
        """A ≥ 90, B ≥ 75, C ≥ 60, D below (bounds from the rules)."""
        for grade, bound in self.grade_bounds:
            if total >= bound:
                return grade
        return "D"

    def for_kind(self, kind: str) -> list[MetricRule]:
        return self.kinds.get(kind, [])

    def metric(self, kind: str, code: str) -> MetricRule | None:
        return next((m for m in self.for_kind(kind) if m.code == code), None)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rules_from_row(row: EvaluationRules) -> Rules:
    cfg = row.config
    bounds = sorted(((g, Decimal(str(b))) for g, b in cfg["grade_bounds"].items()), key=lambda gb: -gb[1])
    kinds = {}
    for kind, metrics in cfg["kinds"].items():
        kinds[kind] = [MetricRule(code, m.get("label", code), m.get("unit", "ratio"), bool(m.get("higher_is_better")),
                                  Decimal(str(m["weight"])),
                                  tuple(Bracket(_dec(lo), _dec(hi), Decimal(str(p))) for lo, hi, p in m["brackets"]),
                                  Decimal(str(m.get("missing_points", "100"))))
                       for code, m in metrics.items()]
    return Rules(row.version, tuple(bounds), kinds)


def latest_rules_row() -> EvaluationRules | None:
    return db.session.scalar(sa.select(EvaluationRules).order_by(EvaluationRules.version.desc()).limit(1))


def get_rules(version: int) -> Rules:
    row = db.session.scalar(sa.select(EvaluationRules).where(EvaluationRules.version == version))
    if row is None:
        raise NotFound("No such rules version.")
    return rules_from_row(row)


def usable_defaults(defaults: dict) -> tuple[dict, dict]:
    """Split the default kinds into those whose defaults are valid rules and the others
    (e.g. a plugin whose weights do not add up to 100), with the reasons."""
    good, bad = {}, {}
    for kind, metrics in defaults["kinds"].items():
        try:
            validate_config({"grade_bounds": defaults["grade_bounds"], "kinds": {kind: metrics}})
        except Invalid as exc:
            bad[kind] = exc.details
        else:
            good[kind] = metrics
    return good, bad


def rules_in_force() -> EvaluationRules:
    """The rules version in force, for reading: the latest published one, or — before the
    first computation or edit publishes version 1 — that version as it will be published
    (the registered metrics' defaults), unsaved. Reading never writes."""
    row = latest_rules_row()
    if row is not None:
        return row
    defaults = default_config()
    good, _bad = usable_defaults(defaults)
    return EvaluationRules(version=1, config=_normalized(validate_config({"grade_bounds": defaults["grade_bounds"],
                                                                          "kinds": good})),
                           note="defaults of the registered metrics (published at the first computation)")


def ensure_rules(metrics: list[MetricDefinition] | None = None, actor=None) -> Rules:
    """The current rules. Publishes version 1 from the defaults when there is none, and a
    new version when the registered metrics of a kind differ from the rules' (a plugin
    enabled or removed): that kind goes back to its defaults, the others keep theirs.

    A kind whose registered defaults are not valid rules (weights not adding up to 100)
    is left out, with a warning, until an admin publishes weights for it; the other
    kinds are still scored."""
    metrics = registered_metrics() if metrics is None else metrics
    defaults = default_config(metrics)
    good, bad = usable_defaults(defaults)
    for kind, details in bad.items():
        log.warning("evaluation metrics of %s are not scored: their defaults are not valid rules: %s", kind, details)
    row = latest_rules_row()
    if row is None:
        return rules_from_row(publish_rules({"grade_bounds": defaults["grade_bounds"], "kinds": good},
                                            actor=actor, note="defaults of the registered metrics"))
    config = {"grade_bounds": dict(row.config["grade_bounds"]), "kinds": dict(row.config["kinds"])}
    changed = []
    for kind in sorted(set(defaults["kinds"]) | set(config["kinds"])):
        registered, have = set(defaults["kinds"].get(kind, {})), set(config["kinds"].get(kind, {}))
        if registered == have:
            continue
        if kind in good:
            config["kinds"][kind] = good[kind]
        elif have:
            config["kinds"].pop(kind)
        else:
            continue
        changed.append(kind)
    if not changed:
        return rules_from_row(row)
    return rules_from_row(publish_rules(config, actor=actor, note="metrics changed: " + ", ".join(changed)))


# --------------------------------------------------------------------------- publishing


def validate_config(config) -> dict:
    """Check a rules document; raises :class:`Invalid` with every problem found.

    Weights of a kind add up to 100; each bracket has lower < upper; brackets are
    ordered by their bounds and do not overlap; points and bounds are 0–100 and
    A > B > C."""
    errors: dict[str, list[str]] = {}

    def err(key, msg):
        errors.setdefault(key, []).append(msg)

    def num(key, value, lo=None, hi=None, allow_none=False):
        if value is None and allow_none:
            return None
        if isinstance(value, (bool, float)) or value is None:
            err(key, "Must be a decimal string or an integer.")
            return None
        try:
            d = Decimal(str(value))
        except (InvalidOperation, ValueError):
            err(key, "Not a valid number.")
            return None
        if not d.is_finite():
            err(key, "Not a valid number.")
            return None
        if (lo is not None and d < lo) or (hi is not None and d > hi):
            err(key, f"Must be between {lo} and {hi}.")
        return d

    if not isinstance(config, dict):
        raise Invalid({"config": ["Must be an object with grade_bounds and kinds."]})
    bounds = config.get("grade_bounds")
    if not isinstance(bounds, dict) or set(bounds) != {"A", "B", "C"}:
        err("grade_bounds", "Give the lower bounds of A, B and C.")
    else:
        a, b, c = (num(f"grade_bounds.{g}", bounds[g], 0, 100) for g in "ABC")
        if None not in (a, b, c) and not (a > b > c):
            err("grade_bounds", "Bounds must fall: A > B > C.")
    kinds = config.get("kinds")
    if not isinstance(kinds, dict):
        err("kinds", "Must be an object: kind → metrics.")
        kinds = {}
    for kind, metrics in kinds.items():
        if not isinstance(metrics, dict) or not metrics:
            err(f"kinds.{kind}", "Must be an object: metric code → weight and brackets.")
            continue
        total = Decimal(0)
        for code, m in metrics.items():
            key = f"kinds.{kind}.{code}"
            if not isinstance(m, dict):
                err(key, "Must be an object with weight and brackets.")
                continue
            w = num(f"{key}.weight", m.get("weight"), 0, 100)
            total += w or 0
            if m.get("missing_points") is not None:
                num(f"{key}.missing_points", m.get("missing_points"), 0, 100)
            brackets = m.get("brackets")
            if not isinstance(brackets, list) or not brackets:
                err(f"{key}.brackets", "Give at least one bracket [lower, upper, points].")
                continue
            parsed = []
            for i, br in enumerate(brackets):
                bkey = f"{key}.brackets[{i}]"
                if not isinstance(br, (list, tuple)) or len(br) != 3:
                    err(bkey, "A bracket is [lower, upper, points]; null bounds are open.")
                    continue
                lo = num(bkey, br[0], allow_none=True)
                hi = num(bkey, br[1], allow_none=True)
                num(bkey, br[2], 0, 100)
                if lo is not None and hi is not None and lo >= hi:
                    err(bkey, "The lower bound must be below the upper bound.")
                parsed.append((lo, hi))
            for i in range(1, len(parsed)):
                prev_hi, lo = parsed[i - 1][1], parsed[i][0]
                if prev_hi is None or lo is None or lo < prev_hi:
                    err(f"{key}.brackets", "Brackets must be in ascending order and must not overlap.")
                    break
        if total != HUNDRED:
            err(f"kinds.{kind}", f"Weights add up to {total.normalize():f}, not 100.")
    if errors:
        raise Invalid(errors)
    return config


def _normalized(config: dict) -> dict:
    return {
        "grade_bounds": {g: _num(v) for g, v in config["grade_bounds"].items()},
        "kinds": {kind: {code: {**m, "weight": _num(m["weight"]),
                                "missing_points": _num(m.get("missing_points", "100")),
                                "brackets": [[_num(lo), _num(hi), _num(p)] for lo, hi, p in m["brackets"]]}
                         for code, m in metrics.items()}
                  for kind, metrics in config["kinds"].items()},
    }


def publish_rules(config: dict, actor=None, note: str | None = None) -> EvaluationRules:
    """Validate and publish a new rules version (the caller commits)."""
    config = _normalized(validate_config(config))
    current = db.session.scalar(sa.select(sa.func.max(EvaluationRules.version))) or 0
    row = EvaluationRules(version=current + 1, config=config, note=(note or "")[:500] or None,
                          created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record_audit("evaluation_rules", row.version, "published", {"version": row.version, "note": note}, actor=actor)
    return row
