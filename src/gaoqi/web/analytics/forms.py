"""The cohort filter (企业画像分析): the page, its Excel export and the API read the same GET parameters. Every
field is a choice among codes (districts in the user's scope, fields, sections, the tags file's tags) or a
number; the form turns them into the engine's typed ``CohortFilter`` — the user's text never reaches SQL."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms

from gaoqi.engine import CohortFilter, TagSet, industry_section_names
from gaoqi.web.core.labels import district, label

HAS_HTE = [("", "不限"), ("1", "是"), ("0", "否")]
#: GET parameter → the filter's field (multi-valued parameters repeat: ?district=110108&district=110105).
MULTI = {
    "district": "districts",
    "tech_field": "tech_fields",
    "industry": "industry_sections",
    "size": "size_bands",
    "growth": "growth_bands",
    "tag_all": "tags_all",
    "tag_any": "tags_any",
}


def tech_field_codes() -> tuple[str, ...]:
    """The eight fields by the codes the engine's schemas use (the certificate feed's ``tech_field``)."""
    from gaoqi.engine import feed_spec

    return tuple(feed_spec("certificate").field("tech_field").aliases)


class CohortFilterForm(forms.Form):
    district = forms.MultipleChoiceField(required=False, label="区县")
    tech_field = forms.MultipleChoiceField(required=False, label="技术领域")
    industry = forms.MultipleChoiceField(required=False, label="行业门类")
    size = forms.MultipleChoiceField(required=False, label="规模")
    growth = forms.MultipleChoiceField(required=False, label="成长")
    tag_all = forms.MultipleChoiceField(required=False, label="同时具有标签")
    tag_any = forms.MultipleChoiceField(required=False, label="具有任一标签")
    has_hte = forms.ChoiceField(required=False, choices=HAS_HTE, label="有效高企")
    revenue_min = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=16, decimal_places=4,
                                     label="最近一年销售收入不低于（万元）")  # fmt: skip
    revenue_max = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=16, decimal_places=4,
                                     label="最近一年销售收入不高于（万元）")  # fmt: skip
    established_from = forms.IntegerField(required=False, min_value=1900, max_value=9998, label="成立年份自")
    established_to = forms.IntegerField(required=False, min_value=1900, max_value=9998, label="成立年份至")

    def __init__(self, data: Any, *, tags: TagSet, districts: Sequence[str], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.tags = tags
        self._choice("district", [(c, district(c)) for c in districts])
        self._choice("tech_field", [(c, label("tech_field", c)) for c in tech_field_codes()])
        self._choice("industry", [(c, str(n)) for c, n in industry_section_names().items()])
        self._choice("size", [(t.code, t.label) for t in tags.in_group("size")])
        self._choice("growth", [(t.code, t.label) for t in tags.in_group("growth")])
        every = [(t.code, f"{tags.group(t.group).label}：{t.label}") for t in tags.tags]
        self._choice("tag_all", every)
        self._choice("tag_any", every)

    def _choice(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("revenue_min"), data.get("revenue_max")
        if low is not None and high is not None and low > high:
            self.add_error("revenue_max", "销售收入上限不能低于下限")
        start, end = data.get("established_from"), data.get("established_to")
        if start is not None and end is not None and start > end:
            self.add_error("established_to", "成立年份止不能早于起")
        return data

    def filter(self) -> CohortFilter:
        """The filter asked for; a field that does not validate is left out (the page shows its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        has_hte = data.get("has_hte") or ""
        return CohortFilter(
            **{field: tuple(data.get(param) or ()) for param, field in MULTI.items()},
            has_hte=None if has_hte == "" else has_hte == "1",
            revenue_min=data.get("revenue_min"),
            revenue_max=data.get("revenue_max"),
            established_from=data.get("established_from"),
            established_to=data.get("established_to"),
        )

    def described(self) -> list[tuple[str, str]]:
        """The filter in words (label, values) for the page and the workbook; [] when it filters nothing."""
        out: list[tuple[str, str]] = []
        data = getattr(self, "cleaned_data", {})
        for name, field in self.fields.items():
            value = data.get(name)
            if value in (None, "", [], ()):
                continue
            if isinstance(field, forms.ChoiceField):
                names = dict(field.choices)
                values = value if isinstance(value, list) else [value]
                out.append((str(field.label), "、".join(str(names.get(v, v)) for v in values)))
            else:
                out.append((str(field.label), str(value)))
        return out
