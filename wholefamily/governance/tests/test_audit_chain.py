"""The audit log is chained by hash on both databases, refused changes by PostgreSQL, and verified by a command."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from wholefamily.governance import chain
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent

IS_POSTGRES = connection.vendor == "postgresql"


def _tamper(sql: str, params: list[object]) -> None:
    """Change a row behind the application's back, as a database superuser could (on PostgreSQL, with triggers
    switched off for the statement)."""
    with connection.cursor() as cursor:
        if IS_POSTGRES:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if IS_POSTGRES:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_each_row_follows_the_one_before_and_the_chain_verifies(make_staff):
    kim = make_staff("kim")
    start = AuditEvent.objects.count()
    events = [record(by=kim, action="view", object_type="cases.case", object_id=str(n), detail={"n": n, "t": (1, 2)})
              for n in range(4)]  # fmt: skip
    assert [event.sequence for event in events] == [start + n for n in range(1, 5)]
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.row_hash
    checked, broken = chain.verify()
    assert broken is None
    assert checked == start + 4
    call_command("verify_audit")


@pytest.mark.django_db
def test_a_changed_row_is_named_by_the_verify_command(make_staff):
    kim = make_staff("kim")
    events = [record(by=kim, action="view", object_type="cases.case", object_id=str(n)) for n in range(5)]
    _tamper("UPDATE governance_auditevent SET actor_label = %s WHERE id = %s", ["nobody", events[2].pk])
    with pytest.raises(CommandError, match=rf"broken at row {events[2].pk} .*content does not match"):
        call_command("verify_audit")
    # The failed verification is itself audited.
    assert AuditEvent.objects.filter(action="audit.verify", outcome="failed").count() == 1


@pytest.mark.django_db
def test_a_deleted_row_breaks_the_chain_at_the_next_one(make_staff):
    kim = make_staff("kim")
    events = [record(by=kim, action="view", object_type="cases.case", object_id=str(n)) for n in range(5)]
    _tamper("DELETE FROM governance_auditevent WHERE id = %s", [events[1].pk])
    _checked, broken = chain.verify()
    assert broken is not None and broken.row_id == events[2].pk


@pytest.mark.django_db
@pytest.mark.skipif(not IS_POSTGRES, reason="the refusing trigger exists on PostgreSQL only")
def test_postgresql_refuses_updates_and_deletes_of_audit_rows(make_staff):
    event = record(by=make_staff("kim"), action="view", object_type="cases.case", object_id="1")
    for statement in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="tampered"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


@pytest.mark.django_db
def test_a_user_who_has_acted_cannot_be_deleted(make_staff):
    from django.db.models import ProtectedError

    kim = make_staff("kim")
    record(by=kim, action="view", object_type="cases.case", object_id="1")
    with pytest.raises(ProtectedError):
        kim.delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite takes its write lock at BEGIN: writers are serial by design")
def test_concurrent_writers_do_not_fork_the_chain():
    """Eight threads append 25 rows each at once; the chain stays one line."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(25):
                record(by=None, action="test.concurrent", object_id=f"{worker}-{n}", system_actor="system:test")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, broken = chain.verify()
    assert broken is None
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 200
    assert checked == AuditEvent.objects.count()
