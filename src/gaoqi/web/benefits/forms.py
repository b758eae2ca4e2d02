"""The forms of the benefit pages (validated again by the services)."""

from __future__ import annotations

from django import forms


class ConfirmForm(forms.Form):
    bank_name = forms.CharField(label="开户银行", max_length=100)
    account_number = forms.CharField(label="银行账号", max_length=40)


class ObjectForm(forms.Form):
    reason = forms.CharField(label="异议理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(forms.Form):
    file = forms.FileField(label="兑付结果文件（xlsx）")
