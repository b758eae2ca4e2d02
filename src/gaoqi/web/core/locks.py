"""One mechanism for every write that changes an object with a status (an application, a post-check, an
objection, a certificate, a rename, an expert's record): re-read the object inside the service's transaction
under a row lock, check the guard on that fresh row, and refuse an action that someone else's committed action
has made stale.

On PostgreSQL the lock is ``SELECT … FOR UPDATE`` (a second writer waits for the first to commit, then reads
the committed row). SQLite has no row locks: its transactions begin ``IMMEDIATE`` (settings), so a writer holds
the database's write lock from its first statement and every read inside the transaction is already fresh.
``serialize`` covers what has no row yet (two starts of one enterprise's application, the next certificate
number): a transaction-scoped advisory lock on PostgreSQL, the write lock on SQLite.
"""

from __future__ import annotations

import zlib
from typing import Any

from django.db import connection, models

from gaoqi.web.core.errors import DomainError, StaleActionError  # re-exported: the services' refusals

#: What a refused stale action says (the object changed since the page was loaded).
STALE = StaleActionError.default_message


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("a locked re-read belongs inside the service's transaction (transaction.atomic)")


def locked(model: Any, pk: Any) -> Any:  # a model class or a queryset → its instance (Django is untyped here)
    """The row ``pk`` read afresh under a row lock, inside the caller's transaction."""
    _require_transaction()
    qs = model if isinstance(model, models.QuerySet) else model.objects.all()
    return qs.select_for_update().get(pk=pk)


def serialize(name: str) -> None:
    """Serialise the rest of the transaction with every other transaction that serialises on ``name``."""
    _require_transaction()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # two 32-bit keys: a namespace for gaoqi's locks and the name's CRC (collisions only serialise more)
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x6A0C, zlib.crc32(name.encode()) - 2**31])
    # SQLite: the IMMEDIATE transaction already holds the database's write lock


__all__ = ["STALE", "DomainError", "StaleActionError", "locked", "serialize"]
