"""The service packages' settings (process.yaml) as typed values: time limits per class, the categories and
their class, the acceptance limit, the rating scale. Values marked ``default`` are the platform's, not a
confirmed rule: the pages say so ("默认值，待确认")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Limit:
    code: str
    label: str
    workdays: int
    default: bool
    note: str


@dataclass(frozen=True)
class ServicePackConfig:
    limits: dict[str, Limit]
    accept_workdays: int
    accept_default: bool
    categories: dict[str, str]  # code → label
    category_class: dict[str, str]  # code → time-limit class
    categories_default: bool
    rating_scores: dict[str, int]

    def limit_for(self, category: str, complex_item: bool) -> Limit:
        return self.limits["complex" if complex_item else self.category_class.get(category, "general")]

    @property
    def any_default(self) -> bool:
        return self.accept_default or self.categories_default or any(x.default for x in self.limits.values())


@lru_cache(maxsize=1)
def config() -> ServicePackConfig:
    import yaml

    raw = yaml.safe_load(resources.files("gaoqi.web.servicepacks").joinpath("process.yaml").read_text("utf-8"))
    limits = {
        code: Limit(code, str(v["label"]), int(v["workdays"]), bool(v.get("default", False)), str(v.get("note", "")))
        for code, v in raw["time_limits"].items()
    }
    cats = raw["categories"]
    return ServicePackConfig(
        limits=limits,
        accept_workdays=int(raw["accept_workdays"]["value"]),
        accept_default=bool(raw["accept_workdays"].get("default", False)),
        categories={c: str(v["label"]) for c, v in cats.items()},
        category_class={c: str(v["class"]) for c, v in cats.items()},
        categories_default=bool(raw.get("categories_default", False)),
        rating_scores={k: int(v) for k, v in raw["rating_scores"].items()},
    )
