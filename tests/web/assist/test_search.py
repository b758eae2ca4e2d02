"""政策问答 on the platform: a public page (only public rules) and an API for accounts and tokens, citations with links to the policy pages
for those who may open them, and 未找到 for an empty or unknown question."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gaoqi.web import roles
from tests.web.conftest import login

pytestmark = pytest.mark.django_db


def test_the_page_answers_anyone_with_cited_articles() -> None:
    page = Client().get(reverse("assist:search"), {"q": "研发费用占比要求是多少"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "国科发火〔2016〕32号 第十一条（五）" in body and "<mark>" in body
    assert reverse("policies:detail", args=["hte-certification"]) not in body  # anonymous: no policy page to open


def test_a_logged_in_user_gets_the_policy_link(users: dict[str, Any]) -> None:
    body = login(users[roles.ENTERPRISE]).get(reverse("assist:search"), {"q": "研发费用占比要求是多少"})
    assert reverse("policies:detail", args=["hte-certification"]) in body.content.decode()


@pytest.mark.parametrize("q", ["", "asdfqwer", "？？？"])
def test_an_empty_or_unknown_question_says_not_found(q: str, users: dict[str, Any]) -> None:
    body = Client().get(reverse("assist:search"), {"q": q}).content.decode()
    assert "未找到" in body
    data = login(users[roles.EXPERT]).get("/api/assist/search", {"q": q}).json()
    assert (data["found"], data["hits"]) == (False, []) and data["message"].startswith("未找到")


def test_the_api_gives_ranked_cited_passages(users: dict[str, Any]) -> None:
    client = login(users[roles.ENTERPRISE])
    assert Client().get("/api/assist/search", {"q": "高企"}).status_code == 401  # the API: accounts and tokens
    data = client.get("/api/assist/search", {"q": "高企证书到期怎么办", "k": 3}).json()
    assert data["found"] and len(data["hits"]) == 3
    top = data["hits"][0]
    assert "第九条" in top["citation"]["article"] and "证书" in top["matched"]
    assert "".join(text for text, _ in top["segments"]) == top["text"]
    assert [h["score"] for h in data["hits"]] == sorted((h["score"] for h in data["hits"]), reverse=True)
    assert client.get("/api/assist/search", {"q": "x", "k": 99}).status_code == 400


def test_both_operations_are_in_the_openapi_schema() -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "/api/assist/search" in paths and "/api/assist/plan/{uscc}" in paths
