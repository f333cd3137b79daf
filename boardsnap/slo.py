"""The contract beside the board: commitments kept as code, and the board checked against them.

Teams keep their SLOs as OpenSLO documents or sloth specs. `load_contract` reads them (OpenSLO
`openslo/v1` and `openslo/v1alpha` `SLO` documents; sloth's `prometheus/v1` specs and its
`sloth.slok.dev/v1` `PrometheusServiceLevel`), each objective as one `Commitment` in the board's
terms (comparator, value, canonical unit), with the mapping used said in words. `check` matches
each board row to the commitment of the same service and metric and records the outcome on the
row (`Metric.contract`):

- `as_contracted`: the board's target is the contract's;
- `differs`: the row keeps what the board says, is flagged with both, and is judged against the
  contract's target beside its own verdict;
- `taken_from_contract`: the board's target was unreadable or doubtful, so the contract's is
  offered as the reading (flagged as taken from the contract) and the row is judged with it;
- `not_in_contract` / `ambiguous`: no commitment, or more than one, fits the row.

OpenSLO states objectives as ratios of events: a good/total ratio with target 0.999 is a
commitment of >= 99.9 %; a bad/total ratio with target 0.995 is an error rate < 0.5 %; a
threshold objective (`op: lt, value: 200`, target 0.95) is a p95 under 200 in the unit the
document states (an annotation, or the number's unit in its names or description; otherwise
the board's unit is assumed, and said). sloth's `objective: 99.9` is >= 99.9 % of good events.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from boardsnap.config import JudgeConfig
from boardsnap.document import Board, ContractCheck, Metric, ReviewCode, Target
from boardsnap.errors import InvalidDocument
from boardsnap.reading import vocab

OPENSLO_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
OP_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 5_000_000
# concepts the contract and the board may name differently
SAME_CONCEPT = {
    "Uptime": "Availability",
    "Success rate": "Availability",
    "Response time": "Latency",
    "Errors": "Error rate",
    "5xx rate": "Error rate",
    "RPS": "Throughput",
}
SLA_WORDS = re.compile(r"\b(sla|contract|commit\w*|customer)\b", re.I)
NUMBER_UNIT = r"{value}\s*(ms|msec|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|%)\b"


@dataclass(frozen=True)
class Commitment:
    """One objective of the contract, in the board's terms."""

    service: str
    name: str  # the metric as the contract names it
    op: str  # <, <=, >, >=
    value: float
    unit: str | None  # canonical (%, ms, s, min, h, d, rps), None when the contract states none
    source: str  # "slo.yaml: SLO search-slo, objective 'Good experience'"
    mapping: str  # how the document's objective became this commitment
    names: tuple[str, ...] = ()  # every name the document gives it (for matching)
    percentile: float | None = None  # a threshold objective's share of events (0.95: p95)

    def said(self) -> str:
        return f"{OP_WORDS.get(self.op, self.op)} {_quantity(self.value, self.unit)}"


@dataclass(frozen=True)
class Contract:
    commitments: tuple[Commitment, ...]
    files: tuple[str, ...]

    def services(self) -> list[str]:
        return sorted({c.service for c in self.commitments})


# ---- reading the contract ---------------------------------------------------------------------


def load_contract(paths: Iterable[str | Path]) -> Contract:
    """The commitments of every OpenSLO or sloth document in `paths` (files, or folders of
    .yaml/.yml files). `InvalidDocument` (exit 6) names the file and document of anything that
    is neither."""
    import yaml

    commitments: list[Commitment] = []
    files: list[str] = []
    for path in _files(paths):
        files.append(str(path))
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InvalidDocument("larger than 5 MB, no SLO file is", path=str(path))
            text = path.read_text(encoding="utf-8")
            docs = list(yaml.safe_load_all(text))
        except InvalidDocument:
            raise
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidDocument(f"cannot read it ({exc})", path=str(path)) from None
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 1}" if where is not None else ""
            raise InvalidDocument(
                f"not YAML{line}", path=str(path), fix="fix the SLO file's syntax"
            ) from None
        found = 0
        for i, doc in enumerate(docs, start=1):
            if doc is None:
                continue
            for item in doc if isinstance(doc, list) else [doc]:
                read = _read_document(item, path.name, i)
                if read is None:
                    raise InvalidDocument(
                        f"document {i} is neither an OpenSLO SLO nor a sloth SLO spec",
                        path=str(path),
                        fix="give OpenSLO (apiVersion openslo/v1) or sloth "
                        "(version prometheus/v1) files",
                    )
                commitments += read
                found += 1
        if not found:
            raise InvalidDocument("holds no SLO document", path=str(path))
    if not files:
        raise InvalidDocument(
            "no .yaml or .yml file", path=", ".join(map(str, paths)), fix="give SLO files"
        )
    return Contract(tuple(commitments), tuple(files))


def _files(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            out += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
            )
        elif path.is_file():
            out.append(path)
        else:
            raise InvalidDocument("no such file or folder", path=str(path), fix="check the path")
    return out


def _read_document(doc: Any, file: str, index: int) -> list[Commitment] | None:
    """The commitments of one YAML document; [] for an OpenSLO object that is not an SLO
    (Service, SLI, DataSource, AlertPolicy); None for something that is not an SLO file."""
    if not isinstance(doc, dict):
        return None
    api = str(doc.get("apiVersion") or "")
    if api in ("openslo/v1", "openslo/v1alpha"):
        if doc.get("kind") != "SLO":
            return []
        return _openslo(doc, file, index)
    if str(doc.get("version") or "") == "prometheus/v1" and isinstance(doc.get("slos"), list):
        return _sloth(doc, doc, file)
    if api.startswith("sloth.slok.dev/") and doc.get("kind") == "PrometheusServiceLevel":
        spec = doc.get("spec")
        return _sloth(spec, spec, file) if isinstance(spec, dict) else None
    return None


def _openslo(doc: dict, file: str, index: int) -> list[Commitment]:
    meta = _dict(doc.get("metadata"))
    spec = _dict(doc.get("spec"))
    name = str(meta.get("name") or f"document {index}")
    display = str(meta.get("displayName") or name)
    service = str(spec.get("service") or "")
    indicator = _dict(spec.get("indicator"))
    sli_meta = _dict(indicator.get("metadata"))
    sli = _dict(indicator.get("spec")) or indicator  # v1 nests it under spec; v1alpha does not
    annotations = _dict(meta.get("annotations"))
    words = " ".join(
        str(x) for x in (display, spec.get("description"), sli_meta.get("displayName")) if x
    )
    names = tuple(
        dict.fromkeys(
            str(x) for x in (display, name, sli_meta.get("name"), sli_meta.get("displayName")) if x
        )
    )
    objectives = [o for o in spec.get("objectives") or [] if isinstance(o, dict)]
    if not objectives:
        return []
    objective = _the_objective(objectives)
    label = objective.get("displayName")
    source = f"{file}: SLO {name}" + (f", objective {label!r}" if label else "")
    chosen = (
        f"; of its {len(objectives)} objectives, the one named like a contract (else the first)"
        if len(objectives) > 1
        else ""
    )
    ratio = _dict(sli.get("ratioMetric")) or _dict(objective.get("ratioMetrics"))
    target = _number(objective.get("target"))
    if target is None and _number(objective.get("targetPercent")) is not None:
        target = _number(objective.get("targetPercent")) / 100  # type: ignore[operator]
    if ratio and target is not None and 0 < target <= 1:
        if "bad" in ratio:
            value = _round((1 - target) * 100)
            mapping = (
                f"OpenSLO ratio of bad events, target {target:g}: under {value:g} % bad{chosen}"
            )
            return [Commitment(service, display, "<", value, "%", source, mapping, names)]
        value = _round(target * 100)
        mapping = (
            f"OpenSLO ratio of good events, target {target:g}: at least {value:g} % good{chosen}"
        )
        return [Commitment(service, display, ">=", value, "%", source, mapping, names)]
    op = OPENSLO_OPS.get(str(objective.get("op") or ""))
    value = _number(objective.get("value"))
    if op is None or value is None:
        return []
    unit, how = _unit_of(value, annotations, words)
    share = target if target is not None and 0 < target < 1 else None
    mapping = f"OpenSLO threshold objective {objective.get('op')} {value:g}, {how}{chosen}"
    if share is not None:
        mapping += f"; target {share:g}: the p{_percent(share)} of events"
    return [Commitment(service, display, op, value, unit, source, mapping, names, share)]


def _the_objective(objectives: list[dict]) -> dict:
    for objective in objectives:
        if SLA_WORDS.search(str(objective.get("displayName") or "")):
            return objective
    return objectives[0]


def _sloth(spec: dict, doc: dict, file: str) -> list[Commitment]:
    service = str(spec.get("service") or "")
    out = []
    for slo in spec.get("slos") or []:
        if not isinstance(slo, dict):
            continue
        objective = _number(slo.get("objective"))
        if objective is None or not 0 < objective <= 100:
            continue
        name = str(slo.get("name") or "slo")
        names = (name, str(slo.get("description") or ""))
        mapping = f"sloth objective {objective:g}: at least {objective:g} % of events good"
        source = f"{file}: sloth SLO {name}"
        out.append(Commitment(service, name, ">=", objective, "%", source, mapping, names))
    return out


def _unit_of(value: float, annotations: dict, words: str) -> tuple[str | None, str]:
    written = annotations.get("boardsnap.dev/unit")
    if isinstance(written, str) and written:
        return vocab.canonical_unit(written, duration=True), f"unit {written} (annotation)"
    number = re.escape(f"{value:g}")
    match = re.search(NUMBER_UNIT.format(value=number), words, re.I)
    if match:
        return vocab.canonical_unit(match.group(1), duration=True), (
            f"unit {match.group(1)} (from its description)"
        )
    return None, "no unit stated: read in the board's unit"


# ---- matching and checking --------------------------------------------------------------------


def check(board: Board, contract: Contract, cfg: JudgeConfig) -> Board:
    """`board` with each row checked against `contract` (`Metric.contract` set, flags and
    warnings added); rows whose target is taken from the contract are judged with it."""
    from boardsnap.reading import judge

    mine = [c for c in contract.commitments if _same_service(c.service, board.service)]
    if not mine and len(contract.services()) == 1 and not board.service:
        mine = list(contract.commitments)  # one service in the contract, none on the board
    metrics = []
    warnings = [w for w in board.warnings if not w.startswith(WARNING_PREFIX)]
    for i, metric in enumerate(board.metrics, start=1):
        metric = _without_contract(metric)
        found = _match(metric, mine)
        if isinstance(found, str):
            metrics.append(replace(metric, contract=ContractCheck(found)))
            continue
        checked = _compare(metric, found, cfg)
        if checked.contract is not None and checked.contract.result == "differs":
            label = f"row {i} ({metric.name})"
            warnings.append(f"{WARNING_PREFIX}{label}: {checked.contract.difference}")
        metrics.append(checked)
    return judge.judge_board(replace(board, metrics=tuple(metrics), warnings=tuple(warnings)), cfg)


WARNING_PREFIX = "differs from the contract: "
REASON_DIFFERS = "the board's target differs from the contract: "
REASON_TAKEN = "target taken from the contract: "
CODE_DIFFERS = "contract.differs"
CODE_TAKEN = "contract.taken"
CONTRACT_CODES = (CODE_DIFFERS, CODE_TAKEN)


def _without_contract(metric: Metric) -> Metric:
    """The row as it was before any earlier check (its reasons and its taken target undone)."""
    check_ = metric.contract
    reasons, codes = metric.review_reasons, metric.review_codes
    if len(codes) == len(reasons):
        kept = zip(reasons, codes, strict=True)
        pairs = [(r, c) for r, c in kept if c.code not in CONTRACT_CODES]
        reasons, codes = tuple(r for r, _ in pairs), tuple(c for _, c in pairs)
    else:  # a document written before codes: its reasons only
        reasons = tuple(r for r in reasons if not r.startswith((REASON_DIFFERS, REASON_TAKEN)))
    target = metric.target
    if check_ is not None and check_.result == "taken_from_contract" and check_.board_target:
        target = check_.board_target
    return replace(metric, review_reasons=reasons, review_codes=codes, target=target, contract=None)


def _match(metric: Metric, commitments: Sequence[Commitment]) -> Commitment | str:
    scored = [(s, c) for c in commitments if (s := _score(metric.name, c)) > 0]
    if not scored:
        return "not_in_contract"
    best = max(s for s, _ in scored)
    top = [c for s, c in scored if s == best]
    return top[0] if len(top) == 1 else "ambiguous"


def _score(board_name: str, c: Commitment) -> float:
    board_key = _slug(board_name)
    if any(_slug(n) == board_key for n in c.names):
        return 3.0
    mine_p = _percentile_of(board_name)
    theirs_p = next((p for n in c.names if (p := _percentile_of(n)) is not None), None)
    if theirs_p is None and c.percentile is not None:
        theirs_p = c.percentile
    if mine_p is not None and theirs_p is not None and not math.isclose(mine_p, theirs_p):
        return 0.0
    concept = _concept(board_name)
    if concept is not None and concept in {_concept(n) for n in c.names}:
        return 2.0 if mine_p is not None and theirs_p is not None else 1.5
    words = set(_slug(board_name).split("-")) - {""}
    theirs = {w for n in c.names for w in _slug(n).split("-")}
    if words and len(words & theirs) / len(words) >= 0.6:
        return 1.0
    return 0.0


def _compare(metric: Metric, c: Commitment, cfg: JudgeConfig) -> Metric:
    from boardsnap.reading import judge

    t = metric.target
    contract_target = Target(c.op, c.value, c.unit or t.unit, f"{c.said()} (contract)")
    unit_note = "" if c.unit or not t.unit else f"; the contract states no unit: read in {t.unit}"
    doubtful = t.value is None or t.op is None or _target_doubted(metric)
    if _other_side(metric, c):
        # a share of good events against the board's share of bad ones: 99.5 % good is 0.5 %
        # bad, said in the mapping
        flipped = "<" if c.op in (">", ">=") else ">"
        c = replace(
            c,
            op=flipped,
            value=_round(100 - c.value),
            mapping=c.mapping + f"; as the board's share of bad events: {flipped} "
            f"{_round(100 - c.value):g} %",
        )
        contract_target = Target(c.op, c.value, c.unit, f"{c.said()} (contract)")
    agrees = t.value is not None and _same_commitment(t, contract_target)
    base = {
        "source": c.source,
        "target": (c.op, c.value, c.unit or t.unit),
        "said": c.said() if c.unit or not t.unit else f"{c.said()} {t.unit}".strip(),
        "mapping": c.mapping + unit_note,
    }
    if agrees:
        return replace(metric, contract=ContractCheck("as_contracted", **base))
    board_said = _board_said(t)
    if doubtful:
        taken = replace(metric, target=contract_target)
        reason = (
            f"{REASON_TAKEN}{base['said']} ({c.source}); the board's "
            f"{'was unreadable' if t.value is None else f'read {board_said} with doubt'}"
        )
        flagged = replace(
            taken,
            needs_review=True,
            review_reasons=taken.review_reasons + (reason,),
            review_codes=taken.review_codes + (ReviewCode(CODE_TAKEN, "target"),),
            contract=ContractCheck("taken_from_contract", board_target=t, **base),
        )
        return flagged
    difference = f"board says {board_said}, contract says {base['said']} ({c.source})"
    against = judge.judge_metric(replace(metric, target=contract_target, status_override=None), cfg)
    return replace(
        metric,
        needs_review=True,
        review_reasons=metric.review_reasons + (REASON_DIFFERS + difference,),
        review_codes=metric.review_codes + (ReviewCode(CODE_DIFFERS, "target"),),
        contract=ContractCheck(
            "differs",
            difference=difference,
            judged_status=against.status,
            judged_budget=against.budget_used,
            **base,
        ),
    )


def _other_side(metric: Metric, c: Commitment) -> bool:
    """The board and the contract state one percentage from opposite sides (good vs bad);
    the board's side is its comparator, else what its metric's name says."""
    t = metric.target
    if c.unit != "%" or t.unit not in ("%", None):
        return False
    if t.op is not None:
        board_lower = t.op in ("<", "<=")
    else:
        direction = vocab.lookup(metric.name).direction
        if direction is None:
            return False
        board_lower = direction == vocab.LOWER
    return board_lower != (c.op in ("<", "<="))


def _target_doubted(metric: Metric) -> bool:
    """The parser, the judge or the second look doubted the target: a code about the target
    or about both values (a document written before codes: a reason that names the target)."""
    if len(metric.review_codes) != len(metric.review_reasons):
        return any(
            "target" in r and not r.startswith((REASON_DIFFERS, REASON_TAKEN))
            for r in metric.review_reasons
        )
    return any(
        c.field in ("target", "row") and c.code not in CONTRACT_CODES for c in metric.review_codes
    )


def _same_commitment(board: Target, contract: Target) -> bool:
    lower = ("<", "<=")
    if (board.op in lower) != (contract.op in lower) or board.op is None:
        return False
    a, b = _in_seconds_or_same(board), _in_seconds_or_same(contract)
    if a is None or b is None or a[1] != b[1]:
        return False
    return math.isclose(a[0], b[0], rel_tol=1e-9, abs_tol=1e-9)


def _in_seconds_or_same(t: Target) -> tuple[float, str | None] | None:
    if t.value is None:
        return None
    seconds = vocab.to_seconds(t.value, t.unit)
    return (seconds, "s") if seconds is not None else (t.value, t.unit)


def _board_said(t: Target) -> str:
    if t.value is None:
        return f"'{t.text}'"
    return f"{OP_WORDS.get(t.op or '', t.op or '')} {_quantity(t.value, t.unit)}".strip()


# ---- the `slo check` table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    metric: str
    board: str
    contract: str
    result: str
    source: str


def rows(board: Board) -> list[Row]:
    """Each checked row's board and contract targets and the outcome, for `slo check`."""
    out = []
    for m in board.metrics:
        c = m.contract
        if c is None:
            continue
        shown = c.board_target if c.board_target is not None else m.target
        out.append(Row(m.name, _board_said(shown), c.said or "", c.result, c.source or ""))
    return out


# ---- words and names ----------------------------------------------------------------------------


def _same_service(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and _slug(a or "") == _slug(b or "")


def _slug(text: str) -> str:
    folded = vocab.fold(text).lower().replace("%", " pct ")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _concept(name: str) -> str | None:
    text = " " + " ".join(_slug(name).split("-")) + " "
    for term in vocab.TERMS:
        if any(f" {alias} " in text for alias in term.aliases):
            return SAME_CONCEPT.get(term.name, term.name)
    if _percentile_of(name) is not None:
        return "Latency"
    return None


def _percentile_of(name: str) -> float | None:
    match = re.search(r"\bp(\d{2,3}(?:\.\d+)?)\b", vocab.fold(name).lower())
    if match is None:
        return None
    digits = match.group(1)
    return float(digits) / 100 if len(digits) == 2 or "." in digits else float("0." + digits)


def _percent(share: float) -> str:
    return f"{share * 100:g}".replace(".", "") if share * 100 % 1 else f"{share * 100:.0f}"


def _quantity(value: float, unit: str | None) -> str:
    number = f"{value:g}"
    return f"{number} %" if unit == "%" else f"{number} {unit}".strip() if unit else number


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _round(value: float) -> float:
    return float(f"{value:.10g}")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


__all__ = ["Commitment", "Contract", "Row", "check", "load_contract", "rows"]
