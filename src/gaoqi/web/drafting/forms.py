"""The draft form: the header, the version's dates and documents, rows of parameters and of conditions (a feature
chosen by its Chinese name, an operator, a value or a parameter, the article), and the benefit. Blank rows are
ignored. The form checks only what a person must type; the engine's loader checks the rest (services.prepare)
and its refusals come back onto these fields."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.engine import Policy
from gaoqi.web.drafting import render
from gaoqi.web.drafting.services import DraftData

PARAM_ROWS = 6
COND_ROWS = 8
PARAM_FIELDS = ("name", "label", "type", "value", "unit", "unconfirmed")
COND_FIELDS = ("id", "label", "kind", "feature", "op", "value", "param", "article")


class DraftForm(forms.Form):
    policy_id = forms.CharField(label="政策编号", max_length=64,
                                help_text="小写字母、数字和连字符；填写政策库中已有的编号即为该政策的新版本")  # fmt: skip
    name = forms.CharField(label="政策名称", max_length=200, required=False)
    authority = forms.CharField(label="发文机关", max_length=200, required=False)
    document_number = forms.CharField(label="文号", max_length=200, required=False)
    kind = forms.ChoiceField(label="政策类别", choices=list(render.KINDS.items()), initial="subsidy")
    version_id = forms.CharField(label="版本号", max_length=32)
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label="失效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="留空为长期有效")  # fmt: skip
    documents = forms.CharField(label="依据文件", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="每行一个文号；条款须引用其中之一")  # fmt: skip
    notes = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    benefit_amount = forms.CharField(label="奖励金额（万元）", max_length=500, required=False,
                                     help_text="参数或公式")  # fmt: skip
    benefit_label = forms.CharField(label="奖励说明", max_length=200, required=False)
    benefit_period = forms.ChoiceField(label="兑现周期", choices=list(render.PERIODS.items()), initial="year",
                                       required=False)  # fmt: skip
    delivery = forms.ChoiceField(label="兑现方式", choices=list(render.DELIVERIES.items()), initial="application",
                                 required=False, help_text="免申即享：全部条件由数据判定、奖励金额可计算时，无需申请直接兑现")  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        features = [("", "请选择画像指标"), *render.feature_choices()]
        for i in range(PARAM_ROWS):
            self.fields[f"p{i}_name"] = forms.CharField(required=False, max_length=40, label="参数名")
            self.fields[f"p{i}_label"] = forms.CharField(required=False, max_length=200, label="参数说明")
            self.fields[f"p{i}_type"] = forms.ChoiceField(required=False, label="类型",
                                                          choices=[("", "类型"), *render.PARAM_TYPES.items()])  # fmt: skip
            self.fields[f"p{i}_value"] = forms.CharField(required=False, max_length=100, label="取值")
            self.fields[f"p{i}_unit"] = forms.CharField(required=False, max_length=20, label="单位")
            self.fields[f"p{i}_unconfirmed"] = forms.BooleanField(required=False, label="待确认")
        for i in range(COND_ROWS):
            self.fields[f"c{i}_id"] = forms.CharField(required=False, max_length=40, label="条件编号")
            self.fields[f"c{i}_label"] = forms.CharField(required=False, max_length=200, label="条件名称")
            self.fields[f"c{i}_kind"] = forms.ChoiceField(required=False, label="判定方式", initial="data",
                                                          choices=list(render.COND_KINDS.items()))  # fmt: skip
            # the catalogue is offered as a list; what comes back is checked by the loader (an unknown name is
            # refused with its reason, as in a policy file)
            self.fields[f"c{i}_feature"] = forms.CharField(required=False, max_length=64, label="画像指标",
                                                           widget=forms.Select(choices=features))  # fmt: skip
            self.fields[f"c{i}_op"] = forms.ChoiceField(required=False, label="比较",
                                                        choices=[("", "比较"), *render.OPS.items()])  # fmt: skip
            self.fields[f"c{i}_value"] = forms.CharField(required=False, max_length=100, label="数值")
            self.fields[f"c{i}_param"] = forms.CharField(required=False, max_length=40, label="或参数")
            self.fields[f"c{i}_article"] = forms.CharField(required=False, max_length=200, label="条款")

    def param_rows(self) -> list[list[Any]]:
        return [[self[f"p{i}_{f}"] for f in PARAM_FIELDS] for i in range(PARAM_ROWS)]

    def cond_rows(self) -> list[list[Any]]:
        return [[self[f"c{i}_{f}"] for f in COND_FIELDS] for i in range(COND_ROWS)]

    def header_fields(self) -> list[Any]:
        return [self[f] for f in ("policy_id", "name", "authority", "document_number", "kind")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(COND_ROWS):
            used = any(str(data.get(f"c{i}_{f}") or "").strip() for f in ("feature", "value", "param", "label"))
            if used and not str(data.get(f"c{i}_label") or "").strip():
                self.add_error(f"c{i}_label", "请填写条件名称")
        for i in range(PARAM_ROWS):
            used = any(str(data.get(f"p{i}_{f}") or "").strip() for f in ("name", "value", "label"))
            if used and not str(data.get(f"p{i}_value") or "").strip():
                self.add_error(f"p{i}_value", "请填写参数取值")
        return data

    def draft_data(self) -> DraftData:
        d = self.cleaned_data
        params = []
        for i in range(PARAM_ROWS):
            if any(str(d.get(f"p{i}_{f}") or "").strip() for f in ("name", "value", "label")):
                params.append({"row": i, **{f: d.get(f"p{i}_{f}") for f in PARAM_FIELDS}})
                params[-1]["name"] = str(params[-1]["name"] or "").strip()
                params[-1]["value"] = str(params[-1]["value"] or "").strip()
        conds = []
        for i in range(COND_ROWS):
            if any(str(d.get(f"c{i}_{f}") or "").strip() for f in ("feature", "value", "param", "label")):
                c = {"row": i, **{f: str(d.get(f"c{i}_{f}") or "").strip() for f in COND_FIELDS}}
                c["id"] = c["id"] or f"condition_{i + 1}"
                c["kind"] = c["kind"] or "data"
                conds.append(c)
        documents = [x.strip() for x in str(d.get("documents") or "").splitlines() if x.strip()]
        benefit = {"amount": str(d.get("benefit_amount") or "").strip(), "label": str(d.get("benefit_label") or ""),
                   "period": str(d.get("benefit_period") or "year")}  # fmt: skip
        return DraftData(
            policy_id=str(d["policy_id"]).strip(), name=str(d.get("name") or ""),
            authority=str(d.get("authority") or ""), document_number=str(d.get("document_number") or ""),
            kind=str(d.get("kind") or ""), version_id=str(d["version_id"]).strip(), valid_from=d["valid_from"],
            valid_to=d.get("valid_to"),
            spec={"documents": documents, "notes": str(d.get("notes") or ""), "parameters": params,
                  "conditions": conds, "benefit": benefit if benefit["amount"] else {},
                  "delivery": str(d.get("delivery") or "application")},
        )  # fmt: skip


def initial_from_spec(header: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values from a stored draft (its header and spec)."""
    out: dict[str, Any] = dict(header)
    out["documents"] = "\n".join(spec.get("documents") or [])
    out["notes"] = spec.get("notes") or ""
    for i, p in enumerate(spec.get("parameters") or []):
        for f in PARAM_FIELDS:
            out[f"p{p.get('row', i)}_{f}"] = p.get(f)
    for i, c in enumerate(spec.get("conditions") or []):
        for f in COND_FIELDS:
            out[f"c{c.get('row', i)}_{f}"] = c.get(f)
    benefit = spec.get("benefit") or {}
    out["benefit_amount"] = benefit.get("amount", "")
    out["benefit_label"] = benefit.get("label", "")
    out["benefit_period"] = benefit.get("period", "year")
    out["delivery"] = spec.get("delivery", "application")
    return out


def initial_from_policy(policy: Policy, as_of: Any) -> tuple[dict[str, Any], int]:
    """A new version's form prefilled from the version in force (or the last): the parameters, the conditions
    the form can hold (one feature compared with a value or a parameter) and the benefit; the number of
    conditions it cannot hold is returned too."""
    version = policy.version_at(as_of) or policy.versions[-1]
    header = {"policy_id": policy.id, "name": policy.name, "authority": policy.authority,
              "document_number": policy.document_number, "kind": policy.kind}  # fmt: skip
    params = [
        {"name": p.name, "label": p.label, "type": p.type, "value": str(p.value).lower() if isinstance(p.value, bool)
         else str(p.value), "unit": "", "unconfirmed": p.unconfirmed}
        for p in list(version.parameters.values())[:PARAM_ROWS]
    ]  # fmt: skip
    conds: list[dict[str, Any]] = []
    skipped = 0
    for c in version.conditions:
        feature = c.observed_feature
        required = str(c.required) if c.required is not None else ""
        simple = c.kind == "data" and feature and c.waiver is None and c.lever is None
        is_param = required.startswith("param.") and render._NAME.match(required[6:])
        is_literal = bool(render._NUMBER.match(required)) or required in ("TRUE", "FALSE")
        if not simple or not (is_param or is_literal) or len(conds) >= COND_ROWS:
            skipped += 1
            continue
        conds.append({"id": c.id, "label": c.label, "kind": "data", "feature": feature, "op": c.op, "article": c.article,
                      "value": "" if is_param else required, "param": required[6:] if is_param else ""})  # fmt: skip
    spec = {"documents": list(version.documents), "notes": "", "parameters": params, "conditions": conds,
            "benefit": ({"amount": str(version.benefit.amount), "label": version.benefit.label,
                         "period": version.benefit.period} if version.benefit is not None else {}),
            "delivery": version.delivery}  # fmt: skip
    return initial_from_spec(header, spec), skipped
