"""The platform's real mix under load (issue 17, ADR 0041), for locust:

    locust -f deploy/load/locustfile.py --headless -u 200 -r 20 -t 5m --host http://127.0.0.1:8000

Reads the accounts file ``gaoqi-web load_setup`` wrote (GAOQI_LOAD_ACCOUNTS) and the password from the variable
it names. Four kinds of user, weighted as the platform is used:

- enterprise staff (10): log in, read 我的企业 and the 企业画像, open a policy's explanation, open their
  certification draft and save its form (a real POST with the form's CSRF token);
- district officials (6): search their district's enterprises by name fragment, pinyin initials and USCC prefix,
  filter by status and policy, page through, open a profile and an explanation;
- experts (2): open an assigned application and its score page, and submit scores within the ranges shown;
- the municipal office (1): run a policy simulation, open the dashboard, the lists and a policy's near misses.

Every user logs in with its own account through the login form (django-axes counts real logins; no user
guesses a password, so none is locked out). The platform is served as production serves it, behind a proxy
terminating TLS: each request carries ``X-Forwarded-Proto: https`` (as the proxy sets it) and the cookie jar
sends the Secure session and CSRF cookies, as a browser does over its HTTPS connection to the proxy.

Each acknowledged write is appended to GAOQI_LOAD_JOURNAL (JSON lines): ``gaoqi-web load_verify`` checks after
the run that the database holds every one (the PostgreSQL-restart drill: no write the client saw succeed lost).
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

ACCOUNTS: dict[str, Any] = json.loads(Path(os.environ["GAOQI_LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
PASSWORD = os.environ[ACCOUNTS["password_env"]]
JOURNAL = os.environ.get("GAOQI_LOAD_JOURNAL", "")
FAILURES = os.environ.get("GAOQI_LOAD_FAILURES", "")  # each failed request, timed: the restart drill's timeline
_journal_lock = threading.Lock()
# think times (seconds between a user's clicks): "3,10" as people read; a test may shorten them
THINK = tuple(float(x) for x in os.environ.get("GAOQI_LOAD_THINK", "3,10").split(","))
_next = {kind: itertools.count() for kind in ("enterprise", "district", "expert", "municipal")}

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE = re.compile(r'<ul class="messages"><li[^>]*>([^<]*)')
SCORE_INPUT = re.compile(r'<input name="(\w+)" type="number" min="(-?\d+)" max="(-?\d+)"')


@events.request.add_listener
def _failure_timeline(request_type: str, name: str, response_time: float, exception: Any, **kw: Any) -> None:
    if exception is not None and FAILURES:
        response = kw.get("response")
        line = {"at": time.time(), "name": name, "status": getattr(response, "status_code", 0),
                "ms": round(response_time or 0), "error": str(exception)[:200]}  # fmt: skip
        with _journal_lock, open(FAILURES, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


class BehindTlsProxy(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies are sent: the user's side of the connection is HTTPS (the proxy terminates it)."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return True if cookie.secure else bool(super().set_ok(cookie, request))


def journal(record: dict[str, Any]) -> None:
    if JOURNAL:
        with _journal_lock, open(JOURNAL, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


class PlatformUser(FastHttpUser):
    abstract = True
    kind = ""
    wait_time = between(*THINK)  # a person reads a page before the next click

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(BehindTlsProxy())
        pool = ACCOUNTS[self.kind]
        self.account: dict[str, Any] = pool[next(_next[self.kind]) % len(pool)]
        self.origin = self.host.replace("http://", "https://")
        self.logged_in = False
        self.login()

    def headers(self, post: bool = False) -> dict[str, str]:
        h = {"X-Forwarded-Proto": "https"}
        if post:  # a browser's POST names its origin; Django checks it on HTTPS
            h.update(Origin=self.origin, Referer=self.origin + "/")
        return h

    def get(self, path: str, name: str, htmx: bool = False) -> Any:
        """The page, or None when it failed (the failure is counted; a form on it is not posted)."""
        if not self.logged_in:  # the login failed (the database away): a person logs in again first
            self.login()
        headers = {**self.headers(), **({"HX-Request": "true"} if htmx else {})}
        with self.client.get(path, name=name, headers=headers, catch_response=True) as r:
            return r if self._check(r) else None

    def post(self, path: str, name: str, data: dict[str, Any], expect: str) -> bool:
        """A form's POST; success is the page it leads to saying so (``expect``)."""
        with self.client.post(path, name=name, data=data, headers=self.headers(post=True), catch_response=True) as r:
            if not self._check(r):
                return False
            if expect not in (r.text or ""):
                said = MESSAGE.search(r.text or "")
                r.failure(f"{expect!r} not on the page after the POST: {said.group(1) if said else ''}")
                return False
            return True

    def _check(self, r: Any) -> bool:
        text = r.text or ""
        if r.status_code != 200:
            r.failure(f"HTTP {r.status_code}")
            return False
        if 'action="/accounts/login/' in text or "<title>登录" in text:
            r.failure("sent to the login page: the session was lost")
            self.logged_in = False
            return False
        r.success()
        return True

    def csrf(self, html: str) -> str:
        m = CSRF_INPUT.search(html)
        return m.group(1) if m else ""

    def login(self) -> None:
        page = self.client.get("/accounts/login/", name="login form", headers=self.headers())
        token = self.csrf(page.text or "")
        data = {"username": self.account["username"], "password": PASSWORD, "csrfmiddlewaretoken": token}
        with self.client.post("/accounts/login/", name="login", data=data, headers=self.headers(post=True),
                              catch_response=True) as r:  # fmt: skip
            self.logged_in = r.status_code == 200 and 'name="password"' not in (r.text or "")
            if self.logged_in:
                r.success()
            else:
                r.failure(f"login refused ({r.status_code})")


class EnterpriseUser(PlatformUser):
    kind = "enterprise"
    weight = 10

    def on_start(self) -> None:
        super().on_start()
        self.saves = 0

    @task(3)
    def my_enterprise(self) -> None:
        self.get("/enterprises/mine/", "enterprise: 我的企业")

    @task(2)
    def profile_and_explanation(self) -> None:
        uscc = self.account["uscc"]
        self.get(f"/enterprises/{uscc}/", "enterprise: 企业画像 /enterprises/[uscc]/")
        self.get(f"/enterprises/{uscc}/explain/{ACCOUNTS['policy']}/", "enterprise: explain (htmx)", htmx=True)

    @task(1)
    def dashboard(self) -> None:
        self.get("/", "dashboard /")

    @task(2)
    def fill_application(self) -> None:
        pk = self.account["application"]
        page = self.get(f"/certification/{pk}/", "enterprise: application /certification/[id]/")
        token = self.csrf(page.text or "") if page else ""
        if not token:
            return
        self.saves += 1
        mark = f"{self.account['username']}-{self.saves}"
        data = {
            "csrfmiddlewaretoken": token,
            "rd_projects": f"RD01 负载测试研发项目 {mark}\nRD02 新型传感器研发",
            "products": "PS01 智能识别模组",
            "results": "CG01 识别算法成果转化",
            "rd_management": "GL01 研发项目管理制度",
            "agent_name": "",
        }
        if self.post(f"/certification/{pk}/form/", "enterprise: save application form (POST)", data, "已保存"):
            journal({"kind": "form", "application": pk, "username": self.account["username"], "seq": self.saves})


class DistrictUser(PlatformUser):
    kind = "district"
    weight = 6

    def sample(self) -> dict[str, str]:
        return random.choice(ACCOUNTS["searches"][self.account["district"]])

    @task(3)
    def search_name(self) -> None:
        self.get("/enterprises/?" + urlencode({"q": self.sample()["name"]}), "district: search name fragment")

    @task(2)
    def search_initials(self) -> None:
        self.get("/enterprises/?" + urlencode({"q": self.sample()["initials"]}), "district: search pinyin initials")

    @task(2)
    def search_uscc(self) -> None:
        self.get("/enterprises/?" + urlencode({"q": self.sample()["uscc_prefix"]}), "district: search USCC prefix")

    @task(2)
    def filter_and_page(self) -> None:
        query = {"hte": random.choice(["yes", "no"]), "policy": ACCOUNTS["policy"],
                 "policy_status": random.choice(["pass", "fail", "unknown"])}  # fmt: skip
        self.get("/enterprises/?" + urlencode(query), "district: filter status + policy")
        for page in (2, random.randint(3, 40)):
            self.get("/enterprises/?" + urlencode({**query, "page": page}), "district: filter, page through")

    @task(1)
    def near_misses(self) -> None:
        self.get(f"/policies/{ACCOUNTS['policy']}/enterprises/?status=near", "district: policy near misses")

    @task(2)
    def profile(self) -> None:
        uscc = self.sample()["uscc"]
        self.get(f"/enterprises/{uscc}/", "district: profile /enterprises/[uscc]/")
        self.get(f"/enterprises/{uscc}/explain/{ACCOUNTS['policy']}/", "district: explain (htmx)", htmx=True)


class ExpertUser(PlatformUser):
    kind = "expert"
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.todo = list(self.account["applications"])
        random.shuffle(self.todo)

    @task(1)
    def queue(self) -> None:
        self.get("/certification/", "expert: certification index")

    @task(3)
    def score_one(self) -> None:
        if not self.todo:
            self.queue()
            return
        pk = self.todo.pop()
        self.get(f"/certification/{pk}/", "expert: application /certification/[id]/")
        page = self.get(f"/certification/{pk}/score/", "expert: score form /certification/[id]/score/")
        if page is None:
            self.todo.append(pk)  # scored later
            return
        html = page.text or ""
        items = SCORE_INPUT.findall(html)
        token = self.csrf(html)
        if not items or not token:
            return  # scored already (another session of this expert): nothing to post
        data = {key: random.randint(int(lo), int(hi)) for key, lo, hi in items}
        if self.post(f"/certification/{pk}/score/", "expert: submit scores (POST)",
                     {"csrfmiddlewaretoken": token, **data}, "评分已提交"):  # fmt: skip
            journal({"kind": "score", "application": pk, "username": self.account["username"]})


class MunicipalUser(PlatformUser):
    kind = "municipal"
    weight = 1
    wait_time = between(3 * THINK[0], 3 * THINK[1])  # a simulation's result is read for a while

    def on_start(self) -> None:
        super().on_start()
        self.simulate()  # what the office logs in for

    @task(2)
    def simulate(self) -> None:
        sim = random.choice(ACCOUNTS["simulations"])
        self.get("/policies/simulate/?" + urlencode(sim), "municipal: policy simulation")

    @task(2)
    def dashboards(self) -> None:
        self.get("/", "dashboard /")
        self.get("/programmes/", "municipal: lists index")
        self.get("/programmes/cultivation-pool/", "municipal: cultivation pool")

    @task(1)
    def near_misses(self) -> None:
        self.get(f"/policies/{ACCOUNTS['policy']}/enterprises/?status=near", "municipal: policy near misses")

    @task(1)
    def directory(self) -> None:
        self.get("/enterprises/?hte=yes", "municipal: directory filter")
