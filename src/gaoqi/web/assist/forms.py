from __future__ import annotations

from django import forms


class QuestionForm(forms.Form):
    q = forms.CharField(
        label="问题",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "例如：研发费用占比要求是多少", "size": 40}),
    )
