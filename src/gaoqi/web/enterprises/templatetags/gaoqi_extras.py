from __future__ import annotations

from typing import Any

from django import template

from gaoqi.web.core import labels

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ dict|get_item:key }}``: a mapping lookup by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


# What a person reads instead of a code (core/labels.py); builtins of every template (settings.TEMPLATES).


@register.filter("label")
def label(code: Any, kind: str) -> str:
    """``{{ code|label:"kind" }}``."""
    return labels.label(kind, code)


register.filter("district", labels.district)
register.filter("industry", labels.industry)
register.filter("percent", labels.percent)
register.filter("cndate", labels.cn_date)
