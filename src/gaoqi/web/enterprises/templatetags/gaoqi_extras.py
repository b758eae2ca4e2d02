from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ dict|get_item:key }}``: a mapping lookup by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None
