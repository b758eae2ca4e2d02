"""The security settings that may change at run time, their defaults and their allowed ranges (both from
settings.py: ``SECURITY_RUNTIME``), and how they are read (``security_value``).

The deployment's settings stay the ceiling: the session idle length may be shortened below
``SESSION_COOKIE_AGE`` (the server-side session life), never lengthened past it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RuntimeSetting:
    key: str
    label: str
    unit: str
    default: int
    low: int
    high: int


def runtime_settings() -> dict[str, RuntimeSetting]:
    """Every setting the security administrator may change, in display order."""
    out: dict[str, RuntimeSetting] = {}
    for key, spec in settings.SECURITY_RUNTIME.items():
        default = int(getattr(settings, spec["default"])) // int(spec.get("divisor", 1))
        out[key] = RuntimeSetting(key, spec["label"], spec["unit"], default, int(spec["low"]), int(spec["high"]))
    return out


def security_values() -> dict[str, int]:
    """The settings in force: the stored value of each key, else its default."""
    from gaoqi.web.accounts.models import SecuritySetting

    values = {k: s.default for k, s in runtime_settings().items()}
    for key, value in SecuritySetting.objects.filter(key__in=list(values)).values_list("key", "value"):
        values[key] = int(value)
    return values


def security_value(key: str) -> int:
    from gaoqi.web.accounts.models import SecuritySetting

    spec = runtime_settings()[key]
    row = SecuritySetting.objects.filter(key=key).values_list("value", flat=True).first()
    return spec.default if row is None else int(row)
