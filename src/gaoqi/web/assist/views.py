"""智能助手 pages: 政策问答 (public: it shows only the public rules and policy files) and an enterprise's
行动建议 (scoped like the profile page)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gaoqi.web.access import allowed
from gaoqi.web.assist import selectors
from gaoqi.web.assist.forms import QuestionForm
from gaoqi.web.policies.selectors import policy_names


def policy_link(policy_id: str | None, user: Any) -> str | None:
    """The policy page of a cited policy, when there is one (the enterprise catalogue) and the user may open it."""
    if not policy_id or policy_id not in policy_names() or not allowed("policies:detail", user):
        return None
    return reverse("policies:detail", args=[policy_id])


def search(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.GET or None)
    question = form.cleaned_data["q"] if form.is_valid() else ""
    result = selectors.question_answer(question) if "q" in request.GET else None
    hits = [(hit, policy_link(hit.passage.citation.policy_id, request.user)) for hit in result.hits] if result else []
    return render(request, "assist/search.html", {"form": form, "answer": result, "hits": hits})


def plan(request: HttpRequest, uscc: str) -> HttpResponse:
    view = selectors.plan_for(request.user, uscc)
    if view is None:
        raise Http404("企业不存在或不在您的管辖范围内")
    policies = [(p, policy_link(p.policy_id, request.user)) for p in view.plan.policies] if view.plan else []
    return render(request, "assist/plan.html", {"e": view.enterprise, "plan": view.plan, "policies": policies})
