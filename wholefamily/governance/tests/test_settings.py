"""Production settings pass Django's deployment checks; SQLite waits for writers instead of failing."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def test_check_deploy_in_production_mode_reports_no_warnings(tmp_path):
    env = {
        **os.environ,
        "WHOLEFAMILY_ENV": "production",
        "SECRET_KEY": "x9!Qm2#pZr7@Lw4$Tn8%Vb1^Kc6&Hs3*Jd5(Gf0)Ye-Ua_Io+Pe=Rt~Wq",
        "WHOLEFAMILY_PSEUDONYM_KEY": "pseudonym-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "wholefamily.example.org",
        "WHOLEFAMILY_VAR_DIR": str(tmp_path),
    }
    for inherited in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"):
        env.pop(inherited, None)  # a production process would not have them; check --deploy flags the last two
    result = subprocess.run(
        [sys.executable, "-m", "wholefamily.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "WHOLEFAMILY_ENV": "production", "WHOLEFAMILY_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "wholefamily.cli", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", [None, "short", "x9!Qm2#pZr7@Lw4$Tn8%Vb1^Kc6&Hs3*Jd5(Gf0)Ye-Ua_Io+Pe=Rt~Wq"])
def test_production_refuses_to_start_without_its_own_pseudonym_key(tmp_path, key):
    """ADR 0020: missing, too short, or the same as SECRET_KEY (the last case)."""
    env = {**os.environ, "WHOLEFAMILY_ENV": "production", "WHOLEFAMILY_VAR_DIR": str(tmp_path),
           "SECRET_KEY": "x9!Qm2#pZr7@Lw4$Tn8%Vb1^Kc6&Hs3*Jd5(Gf0)Ye-Ua_Io+Pe=Rt~Wq"}  # fmt: skip
    env.pop("WHOLEFAMILY_PSEUDONYM_KEY", None)
    if key is not None:
        env["WHOLEFAMILY_PSEUDONYM_KEY"] = key
    result = subprocess.run(
        [sys.executable, "-m", "wholefamily.cli", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "WHOLEFAMILY_PSEUDONYM_KEY must be set in production" in result.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only")
def test_sqlite_runs_in_wal_mode_with_immediate_transactions_so_writers_wait(tmp_path, django_db_blocker):
    """Two threads increment one counter 40 times each in read-then-write transactions. With SQLite's
    default DEFERRED transactions this fails with "database is locked"; with IMMEDIATE the second writer waits."""
    from django.db import connections, transaction

    alias = "concurrency_check"
    db_settings = {**settings.DATABASES["default"], "NAME": str(tmp_path / "concurrency.sqlite3"), "TEST": {}}
    configured = connections.configure_settings({"default": settings.DATABASES["default"], alias: db_settings})
    connections.settings[alias] = configured[alias]
    errors: list[Exception] = []
    try:
        with django_db_blocker.unblock():
            with connections[alias].cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("CREATE TABLE counter (n INTEGER)")
                cursor.execute("INSERT INTO counter VALUES (0)")

            def writer() -> None:
                try:
                    for _ in range(40):
                        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                            cursor.execute("SELECT n FROM counter")
                            (n,) = cursor.fetchone()
                            cursor.execute("UPDATE counter SET n = %s", [n + 1])
                except Exception as exc:
                    errors.append(exc)
                finally:
                    connections[alias].close()

            threads = [threading.Thread(target=writer) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                assert cursor.fetchone()[0] == 80
            connections[alias].close()
    finally:
        del connections.settings[alias]
    assert errors == []
