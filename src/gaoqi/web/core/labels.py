"""What a person reads instead of a code: Chinese labels, district and industry names, percentages, dates.

Labels come from one place, the platform's translation catalogue (``locale/zh_Hans/LC_MESSAGES/django.po``,
compiled at install): ``msgctxt`` is the kind of code, ``msgid`` the code. District and industry names come from
the engine's reference data (GB/T 2260, GB/T 4754), so the platform keeps no second copy of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import pgettext

from gaoqi.engine import FEATURE_BY_NAME, describe_value, district_codes, feed_spec, industry_section_names

EMPTY = "—"


def label(kind: str, code: Any) -> str:
    """The Chinese word for ``code`` of ``kind`` (an unknown code is shown as it is; a test walks every page
    for codes without a word). Feeds are named by the engine's schemas (title and department), not twice."""
    if code is None or code == "":
        return EMPTY
    if kind == "feed":
        return feed_name(str(code))
    return pgettext(kind, str(code))


def feed_name(feed: str) -> str:
    """registration → 企业登记（市场监管）."""
    try:
        spec = feed_spec(feed)
    except FileNotFoundError:
        return feed
    return spec.title if spec.title == spec.department else f"{spec.title}（{spec.department}）"


def field_name(feed: Any, field: Any) -> str:
    """A feed's column by its Chinese header (registration, uscc → 统一社会信用代码)."""
    if not field:
        return EMPTY
    try:
        return feed_spec(str(feed)).field(str(field)).title
    except (FileNotFoundError, KeyError):
        return str(field)


def feature_label(name: str) -> str:
    """A profile feature's words (研发费用占比…), or its name when the engine has no such feature."""
    feature = FEATURE_BY_NAME.get(name)
    return feature.label if feature is not None else name


def district(code: Any) -> str:
    if not code:
        return EMPTY
    return district_codes().get(str(code), str(code))


def industry(section: Any) -> str:
    if not section:
        return EMPTY
    return industry_section_names().get(str(section), str(section))


def percent(ratio: Any, digits: int = 1) -> str:
    """0.543157894737 → 54.3%: a ratio as a percentage (one decimal: the rules' thresholds are whole percents)."""
    if ratio is None or ratio == "":
        return EMPTY
    value = float(ratio) * 100
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return f"{text}%"


def cn_date(value: Any) -> str:
    """2026-12-15 (a date, a datetime or an ISO string) → 2026年12月15日."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return describe_value(value, "date")


#: audit target kinds whose value is a name even when it is all digits (a USCC, a year, a certificate number, an
#: account, a file); every other kind with a number for value is a row: 申请 #12, 定向支持记录 #3
_NAMED = frozenset(
    {"user", "uscc", "enterprise", "certificate", "year", "list", "policy", "policy_id", "url", "path", "file", "dir"}
)


def audit_target(target: Any) -> str:
    """An audit row's object (``kind:value``, or ``k:v,k:v`` for a refused URL's parameters) as a person reads it:
    application:12 → 申请 #12, user:u_x → 账号 u_x, url:accounts:users → 页面「账号管理」. The nouns are the
    catalogue's ``audit_target`` entries; a whole target may have its own entry (security:settings → 安全设置)."""
    if target is None or target == "":
        return EMPTY
    text = str(target)
    whole = pgettext("audit_target", text)
    if whole != text:
        return whole
    if ":" not in text:
        return text
    if "," in text and text.split(",", 1)[1].partition(":")[1]:  # URL parameters: pk:1,att:3
        return "，".join(audit_target(part) for part in text.split(","))
    kind, _, value = text.partition(":")
    noun = pgettext("audit_target", kind)
    if noun == kind:  # a kind without a word: shown as it is (the catalogue test lists the kinds written)
        return text
    if kind == "path" and (name := _page_of_path(value)) != value:  # a refused form: the page it was posted to
        kind, value, noun = "url", name, pgettext("audit_target", "url")
    if kind == "url":
        return f"{noun}「{label('page', value)}」"
    if kind in ("policy", "policy_id") and (policy := _policy_name(value)):
        return f"{noun}「{policy}」"
    return f"{noun} #{value}" if value.isdigit() and kind not in _NAMED else f"{noun} {value}"


def _policy_name(policy_id: str) -> str | None:
    from gaoqi.web.policies.selectors import policy_names  # the policy catalogue (policies/*.yaml), read lazily

    return policy_names().get(policy_id)


def _page_of_path(path: str) -> str:
    """The URL name of a path (a refused form's address), or the path when it names no page."""
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).view_name
    except Resolver404:
        return path
