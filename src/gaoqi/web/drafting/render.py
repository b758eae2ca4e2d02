"""A draft's structured content rendered to the policy file text the catalogue holds, and the engine loader's
refusals read back onto the form's fields in Chinese.

The text is written line by line (not by a YAML dumper) so that every line knows the form field it came from:
the loader reports an error at a line (``PolicyError.line``), and ``field_errors`` turns (line, message) into
(field, 原因). A new version of a policy already in the catalogue is inserted into that policy's file text (its
comments kept); the open-ended version in force is closed the day before the new one starts, which is what the
loader's rule (versions neither overlap nor leave a gap) asks of a successor (ADR 0026).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import yaml

from gaoqi.engine import FEATURE_BY_NAME, Policy, PolicyLoadError, load_policy_text

#: the loader's parameter types, in the words of the form
PARAM_TYPES: dict[str, str] = {
    "money": "金额（万元）",
    "ratio": "比例",
    "count": "计数",
    "integer": "整数",
    "date": "日期",
    "boolean": "是否",
    "text": "文本",
}
TYPE_WORDS: dict[str, str] = {**PARAM_TYPES, "number": "数值", "money": "金额"}
OPS: dict[str, str] = {">=": "≥ 不低于", ">": "> 高于", "<=": "≤ 不高于", "<": "< 低于", "=": "= 等于"}
KINDS: dict[str, str] = {
    "subsidy": "资金奖励",
    "recognition": "入库评价",
    "tax": "税收优惠",
    "certification": "资格认定",
}
#: how the benefit reaches the enterprise (the version's ``delivery``, ADR 0024)
DELIVERIES: dict[str, str] = {"application": "申请兑现", "automatic": "免申即享"}
#: how often an enterprise may receive the benefit (``benefit.period``)
PERIODS: dict[str, str] = {"year": "每年一次", "once": "仅一次"}
#: how a condition is decided: by the authoritative data, or by the enterprise's attestation
COND_KINDS: dict[str, str] = {"data": "数据判定", "attested": "企业承诺"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TRUE_WORDS = frozenset({"是", "true", "TRUE", "True"})
FALSE_WORDS = frozenset({"否", "false", "FALSE", "False"})


@dataclass
class Rendered:
    text: str
    #: 1-based line → the form field it came from ("" for lines of the catalogue's own file)
    lines: dict[int, str] = field(default_factory=dict)
    #: the field of each condition's comparison line, to tell a feature from an operand
    conditions: dict[int, dict[str, str]] = field(default_factory=dict)
    #: the first line of the draft's version (its "- id:" line)
    version_line: int = 0
    #: condition id → its Chinese name (a refusal names the condition as the official wrote it)
    labels: dict[str, str] = field(default_factory=dict)


def _q(value: Any) -> str:
    """A YAML scalar that reads back as this exact string (JSON's double-quoted form is valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _number_or_text(value: str) -> str:
    v = value.strip()
    return v if _NUMBER.match(v) else _q(v)


def param_scalar(ptype: str, value: str) -> str:
    """A parameter's value as YAML: numbers bare (the loader keeps them exact), dates ISO, booleans true/false;
    anything else quoted, so that the loader's type check (not this module) refuses it."""
    v = str(value).strip()
    if ptype in ("money", "ratio", "count", "integer"):
        return _number_or_text(v)
    if ptype == "date":
        try:
            return date.fromisoformat(v).isoformat()
        except ValueError:
            return _q(v)
    if ptype == "boolean":
        return "true" if v in TRUE_WORDS else "false" if v in FALSE_WORDS else _q(v)
    return _q(v)


def operand_sql(value: str, feature: str = "") -> str:
    """A condition's literal operand as the policy language writes it: a number, TRUE/FALSE, or a quoted text
    (whose type the loader then checks against the feature's). A text feature's value is always text: a district
    code typed as 110108 is the text '110108', not a number."""
    v = str(value).strip()
    spec = FEATURE_BY_NAME.get(feature.strip())
    if spec is not None and spec.sql_type == "VARCHAR":
        return "'" + v.replace("'", "''") + "'"
    if _NUMBER.match(v):
        return v
    if v in TRUE_WORDS:
        return "TRUE"
    if v in FALSE_WORDS:
        return "FALSE"
    return "'" + v.replace("'", "''") + "'"


def condition_expr(c: dict[str, Any]) -> str:
    param = str(c.get("param") or "").strip()
    right = f"param.{param}" if param else operand_sql(str(c.get("value") or ""), str(c.get("feature") or ""))
    return f"{str(c.get('feature') or '').strip()} {str(c.get('op') or '').strip()} {right}"


def _version_lines(
    d: dict[str, Any], spec: dict[str, Any], indent: str
) -> tuple[list[str], list[str], dict[int, dict[str, str]]]:
    """The version block: its lines, each line's field, and per condition line index the condition's fields."""
    out: list[str] = []
    fields: list[str] = []
    conds: dict[int, dict[str, str]] = {}

    def add(text: str, f: str) -> None:
        out.append(indent + text)
        fields.append(f)

    add(f"- id: {_q(d['version_id'])}", "version_id")
    add(f"  valid_from: {d['valid_from'].isoformat()}", "valid_from")
    add(f"  valid_to: {d['valid_to'].isoformat() if d.get('valid_to') else 'null'}", "valid_to")
    docs = ", ".join(_q(x) for x in spec.get("documents") or [])
    add(f"  documents: [{docs}]", "documents")
    if spec.get("notes"):
        add(f"  notes: {_q(spec['notes'])}", "notes")
    if spec.get("delivery") in DELIVERIES:
        add(f"  delivery: {spec['delivery']}", "delivery")
    params = spec.get("parameters") or []
    if params:
        add("  parameters:", "")
        for i, p in enumerate(params):
            label = str(p.get("label") or "")
            unit = str(p.get("unit") or "").strip()
            if unit and unit not in label:
                label = f"{label}（{unit}）"
            unconfirmed = ", unconfirmed: true" if p.get("unconfirmed") else ""
            add(
                f"    {p['name']}: {{type: {p['type']}, value: {param_scalar(str(p['type']), str(p.get('value', '')))}, "
                f"label: {_q(label)}{unconfirmed}}}",
                f"p{p.get('row', i)}_value",
            )
    benefit = spec.get("benefit") or {}
    if benefit.get("amount"):
        add("  benefit:", "benefit_amount")
        add(f"    amount: {_q(benefit['amount'])}", "benefit_amount")
        add(f"    label: {_q(benefit.get('label') or '')}", "benefit_label")
        if benefit.get("period") == "once":
            add("    period: once", "benefit_period")
    add("  conditions:", "")
    for i, c in enumerate(spec.get("conditions") or []):
        row = c.get("row", i)
        add(f"    - id: {_q(c['id'])}", f"c{row}_id")
        add(f"      label: {_q(c.get('label') or '')}", f"c{row}_label")
        add(f"      article: {_q(c.get('article') or '')}", f"c{row}_article")
        kind = "attested" if c.get("kind") == "attested" else "data"
        add(f"      kind: {kind}", f"c{row}_kind")
        if kind == "attested" and not str(c.get("feature") or "").strip():
            continue  # attested without a data screen: the enterprise's word alone
        conds[len(out)] = {"feature": f"c{row}_feature", "param": f"c{row}_param", "value": f"c{row}_value",
                           "name": str(c.get("feature") or ""), "uses_param": "1" if c.get("param") else ""}  # fmt: skip
        add(f"      {'screen' if kind == 'attested' else 'expr'}: {_q(condition_expr(c))}", f"c{row}_value")
    return out, fields, conds


def _labels(spec: dict[str, Any]) -> dict[str, str]:
    return {str(c.get("id")): str(c.get("label") or "") for c in spec.get("conditions") or []}


def render_new(d: dict[str, Any], spec: dict[str, Any]) -> Rendered:
    """The file of a new policy: its header and the draft's one version."""
    head = [
        (f"id: {d['policy_id']}", "policy_id"),
        (f"name: {_q(d['name'])}", "name"),
        (f"authority: {_q(d['authority'])}", "authority"),
        (f"document_number: {_q(d['document_number'])}", "document_number"),
        (f"kind: {d['kind']}", "kind"),
        ("versions:", ""),
    ]
    lines, fields, conds = _version_lines(d, spec, "  ")
    text_lines = [
        "# 政策沙盘：在平台中起草、经第二名市级管理人员审核后发布（ADR 0026）。请勿手工修改。",
        *(t for t, _ in head),
        *lines,
    ]
    field_list = ["", *(f for _, f in head), *fields]
    offset = 1 + len(head)
    return Rendered(
        "\n".join(text_lines) + "\n",
        {i + 1: f for i, f in enumerate(field_list)},
        {offset + k + 1: v for k, v in conds.items()},
        offset + 1,
        _labels(spec),
    )


def render_version(existing_text: str, d: dict[str, Any], spec: dict[str, Any]) -> Rendered:
    """The catalogue's file of the policy with the draft's version added after its last one; the open-ended
    version in force before it is closed the day before the draft starts (when the draft starts after it)."""
    root = yaml.compose(existing_text, Loader=yaml.SafeLoader)
    versions = None
    if isinstance(root, yaml.MappingNode):
        versions = next((v for k, v in root.value if k.value == "versions"), None)
    if not isinstance(versions, yaml.SequenceNode) or not versions.value:
        raise ValueError("现行政策文件没有版本列表")
    text = existing_text
    # close the open-ended version(s) that start before the draft (edits from the end, so indices hold)
    edits: list[tuple[int, int, str]] = []
    starts: dict[int, date] = {}
    for item in versions.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        keys = {k.value: v for k, v in item.value}
        vf = keys.get("valid_from")
        vt = keys.get("valid_to")
        try:
            start = date.fromisoformat(str(vf.value)) if vf is not None else None
        except ValueError:
            start = None
        if start is not None:
            starts[item.start_mark.index] = start
        open_ended = vt is None or (isinstance(vt, yaml.ScalarNode) and vt.value in ("", "null", "~"))
        if not open_ended or start is None or start >= d["valid_from"]:
            continue
        close = (d["valid_from"] - timedelta(days=1)).isoformat()
        if vt is not None:
            edits.append((vt.start_mark.index, vt.end_mark.index, close))
        elif vf is not None:
            pos = text.find("\n", vf.end_mark.index)
            pos = len(text) if pos < 0 else pos
            edits.append((pos, pos, "\n" + " " * vf.start_mark.column + f"valid_to: {close}"))
    for start_i, end_i, new in sorted(edits, reverse=True):
        text = text[:start_i] + new + text[end_i:]
    # the new version goes at the start of the line where the sequence ends, indented like its items
    shift = sum(len(new) - (e - s) for s, e, new in edits)
    end = versions.end_mark.index + shift
    line_start = text.rfind("\n", 0, end) + 1 if end < len(text) else len(text)
    if end >= len(text):
        if not text.endswith("\n"):
            text += "\n"
        line_start = len(text)
    indent = " " * max(versions.value[0].start_mark.column - 2, 0)
    lines, fields, conds = _version_lines(d, spec, indent)
    before = text[:line_start]
    if before and not before.endswith("\n"):
        before += "\n"
    offset = before.count("\n")
    new_text = before + "\n".join(lines) + "\n" + text[line_start:]
    return Rendered(
        new_text,
        {offset + i + 1: f for i, f in enumerate(fields)},
        {offset + k + 1: v for k, v in conds.items()},
        offset + 1,
        _labels(spec),
    )


# ------------------------------------------------------------------------------------------------------
# the loader's refusals in the form's words


def _t(code: str) -> str:
    return TYPE_WORDS.get(code, code)


_MESSAGES: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(p), f)
    for p, f in (
        (r"unknown feature '([^']*)'", lambda m: f"未知的画像指标「{m[1]}」：请从画像指标中选择"),
        (r"undeclared parameter '([^']*)'", lambda m: f"参数「{m[1]}」未在本版本的参数中声明"),
        (r"type error: cannot compare (\w+) with (\w+)", lambda m: f"类型不符：{_t(m[1])}不能与{_t(m[2])}比较"),
        (r"type error: (\S+) on (\w+)", lambda m: f"类型不符：{_t(m[2])}不能使用“{m[1]}”比较"),
        (
            r"type error: a benefit amount is money \(万元\), not (\w+)",
            lambda m: f"补贴金额须为金额（万元），不能是{_t(m[1])}",
        ),
        (
            r"type error: cannot (add or subtract|multiply|divide) (\w+) (?:and|by) (\w+)",
            lambda m: f"类型不符：{_t(m[2])}与{_t(m[3])}不能这样运算",
        ),
        (r"type error", lambda m: "类型不符：表达式两边的类型不能这样组合"),
        (
            r"article '[^']*' cites (\S+), not one of this version's documents \(([^)]*)\)",
            lambda m: f"条款引用的「{m[1]}」不在本版本的文件中（{m[2]}）",
        ),
        (r"article '[^']*' must read", lambda m: "条款须写作“文件号 第X条（Y）”，如“京科发〔2026〕1号 第三条”"),
        (
            r"version '[^']*' \(from ([\d-]+)\) overlaps version '([^']*)' \(([\d-]+) – ([^)]*)\)",
            lambda m: f"有效期与已有版本「{m[2]}」（{m[3]} 至 {'长期' if m[4] == 'open' else m[4]}）重叠",
        ),
        (
            r"gap between version '([^']*)' \(to ([\d-]+)\)",
            lambda m: f"与上一版本「{m[1]}」之间留有空档：生效日期须为 {date.fromisoformat(m[2]) + timedelta(days=1)}",
        ),
        (r"duplicate version id '([^']*)'", lambda m: f"版本号「{m[1]}」已存在"),
        (r"duplicate condition id '([^']*)'", lambda m: f"条件编号「{m[1]}」重复"),
        (r"valid_to \S+ is before valid_from", lambda m: "失效日期早于生效日期"),
        (r"parameter '([^']*)': \w+ value must be a number", lambda m: f"参数「{m[1]}」的值须为数字"),
        (r"parameter '([^']*)': \w+ value must be a whole number", lambda m: f"参数「{m[1]}」的值须为整数"),
        (r"parameter '([^']*)': value must be a date", lambda m: f"参数「{m[1]}」的值须为日期（年-月-日）"),
        (r"parameter '([^']*)': value must be true or false", lambda m: f"参数「{m[1]}」的值须为“是”或“否”"),
        (r"parameter '([^']*)': value must be text", lambda m: f"参数「{m[1]}」的值须为文本"),
        (
            r"parameter name '([^']*)' must match",
            lambda m: f"参数名「{m[1]}」须以小写字母开头，只含小写字母、数字和下划线",
        ),
        (
            r"condition id '([^']*)' must match",
            lambda m: f"条件编号「{m[1]}」须以小写字母开头，只含小写字母、数字和下划线",
        ),
        (r"policy id '([^']*)' must match", lambda m: f"政策编号「{m[1]}」只能含小写字母、数字和连字符"),
        (r"cannot parse", lambda m: "无法解析该表达式"),
        (r"function (\S+) is not allowed", lambda m: f"不允许使用函数 {m[1]}"),
        (
            r"delivery 'automatic' \(免申即享\) needs every condition to be data; condition '([^']*)' is (\w+)",
            lambda m: f"免申即享要求全部条件由数据判定：条件「{m[1]}」为{COND_KINDS.get(m[2], '专家评审')}",
        ),
        (r"delivery 'automatic' \(免申即享\) allows no expert", lambda m: "免申即享不允许专家评审"),
        (r"delivery 'automatic' \(免申即享\) needs a computable benefit", lambda m: "免申即享须填写可计算的奖励金额"),
        (r"missing '(\w+)'", lambda m: "必须填写"),
        (r"'conditions' must be a non-empty list", lambda m: "至少需要一个条件"),
    )
)


def reason(message: str) -> str:
    """The loader's message (English, for the engine's authors) in the words of the form."""
    for pattern, words in _MESSAGES:
        m = pattern.search(message)
        if m:
            return str(words(m))
    return "不符合政策文件的格式要求"


def field_errors(rendered: Rendered, error: PolicyLoadError) -> dict[str, str]:
    """(field → reason) for each error the loader reported on the rendered text."""
    out: dict[str, str] = {}
    for e in error.errors:
        msg = reason(e.message)
        if "delivery 'automatic'" in e.message:
            # the refusal of 免申即享 stands next to 兑现方式, and on the condition that is not data (named as the
            # official wrote it)
            m = re.search(r"condition '([^']*)' is", e.message)
            if m and rendered.labels.get(m[1]):
                msg = msg.replace(f"「{m[1]}」", f"「{rendered.labels[m[1]]}」")
            out.setdefault("delivery", msg)
            line_field = rendered.lines.get(e.line, "")
            if m is None or not line_field.endswith("_id"):
                continue
            f = line_field[: -len("_id")] + "_kind"
        elif "overlaps" in e.message or "gap between" in e.message or "is before valid_from" in e.message:
            f = "valid_from" if "is before" not in e.message else "valid_to"
        elif e.line in rendered.conditions:
            c = rendered.conditions[e.line]
            if "unknown feature" in e.message and f"'{c['name']}'" in e.message:
                f = c["feature"]
            elif "undeclared parameter" in e.message or (c["uses_param"] and "type error" in e.message):
                f = c["param"] if c["uses_param"] else c["value"]
            else:
                f = c["value"]
        else:
            f = rendered.lines.get(e.line, "") or "__all__"
        out.setdefault(f, msg)
    return out


def check(rendered: Rendered, name: str) -> tuple[Policy | None, dict[str, str]]:
    """The rendered text through the engine's loader: the policy, or the errors by field."""
    try:
        return load_policy_text(rendered.text, name), {}
    except PolicyLoadError as exc:
        return None, field_errors(rendered, exc)


def feature_choices() -> list[tuple[str, str]]:
    """The profile features a condition may test, by their Chinese names (lists excluded: no comparison)."""
    return sorted(
        ((f.name, f"{f.label}{'（' + f.unit + '）' if f.unit else ''}") for f in FEATURE_BY_NAME.values()
         if not f.sql_type.endswith("[]")),
        key=lambda x: x[1],
    )  # fmt: skip
