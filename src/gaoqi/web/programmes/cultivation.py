"""The cultivation records' settings (cultivation.yaml) as typed values: coverage targets, material limits.
Every value is the platform's default, not policy (the YAML says so per value, and the pages show it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Setting:
    value: float
    default: bool  # a platform default, not set by any policy text


@dataclass(frozen=True)
class CultivationConfig:
    training_share: Setting
    tutoring_share: Setting
    material_max_bytes: int
    materials_per_session: int
    max_invited: int


@lru_cache(maxsize=1)
def cultivation_config() -> CultivationConfig:
    import yaml

    raw = yaml.safe_load(resources.files("gaoqi.web.programmes").joinpath("cultivation.yaml").read_text("utf-8"))

    def s(v: dict[str, object]) -> Setting:
        return Setting(float(str(v["value"])), bool(v.get("default", False)))

    return CultivationConfig(
        training_share=s(raw["coverage"]["year_training_share"]),
        tutoring_share=s(raw["coverage"]["year_tutoring_share"]),
        material_max_bytes=int(raw["materials"]["max_mb"]["value"]) * 1024 * 1024,
        materials_per_session=int(raw["materials"]["per_session"]["value"]),
        max_invited=int(raw["invitations"]["max_per_session"]["value"]),
    )
