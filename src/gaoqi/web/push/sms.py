"""SMS backends, chosen by the setting ``GAOQI_SMS_BACKEND`` (a dotted path), like Django's e-mail backends.

A backend is any class with ``send_messages(messages: list[SmsMessage]) -> int`` (how many it accepted): a real
gateway plugs in by naming its class in the setting, without a change here. It may also offer
``sent_references(references: list[str]) -> set[str]``: which of these deliveries it has already sent — then a
delivery a crash left ``sending`` is reconciled (sent, or queued again) instead of being marked 待核对 (ADR 0023).

Shipped: ``ConsoleBackend`` (development: prints) and ``FileBackend`` (one JSON line per message appended to
``GAOQI_SMS_FILE``; tests and benchmarks count its lines)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    reference: str  # the delivery's identity: a gateway that deduplicates by a client id gets it here


class SmsBackend(Protocol):
    def send_messages(self, messages: list[SmsMessage]) -> int: ...


class ConsoleBackend:
    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for m in messages:
            self.stream.write(f"短信 → {m.to}（{m.reference}）：{m.body}\n")
        self.stream.flush()
        return len(messages)


class FileBackend:
    """Appends one JSON line per message (flushed per message: a crash leaves every sent line on disk)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or getattr(settings, "GAOQI_SMS_FILE", "") or Path(settings.BASE_DIR) / "sms.jsonl")

    def send_messages(self, messages: list[SmsMessage]) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            for m in messages:
                f.write(json.dumps({"to": m.to, "ref": m.reference, "body": m.body}, ensure_ascii=False) + "\n")
                f.flush()
        return len(messages)

    def sent_references(self, references: list[str]) -> set[str]:
        if not self.path.exists():
            return set()
        wanted, found = set(references), set()
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                ref = json.loads(line).get("ref", "")
                if ref in wanted:
                    found.add(ref)
        return found


def get_backend() -> Any:
    path = getattr(settings, "GAOQI_SMS_BACKEND", "gaoqi.web.push.sms.ConsoleBackend")
    return import_string(path)()
