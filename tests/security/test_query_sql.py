"""Analysts' SQL (``aduan query``) is read-only by construction on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from aduan.cli.query import read_only_engine, run_query
from aduan.core.errors import AduanError
from aduan.store.models import complaints
from tests.cli.test_query import aduan
from tests.helpers.complaints import insert_complaint


def status_of(engine: Engine, complaint_id: int) -> str:
    with engine.connect() as conn:
        query = select(complaints.c.status).where(complaints.c.id == complaint_id)
        return str(conn.execute(query).scalar_one())


def attempt(url: str, sql: str) -> None:
    """Run ``sql`` as ``aduan query`` does; a refusal is what the tests want."""
    engine = read_only_engine(url)
    try:
        run_query(engine, sql)
    except AduanError:
        pass
    finally:
        engine.dispose()


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@pytest.fixture
def pg_role(engine: Engine, store_url: str) -> Iterator[str]:
    """A plain login role owning the complaints table, dropped afterwards."""
    role = f"aduan_owner_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
        conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.exec_driver_sql(f'ALTER TABLE complaints OWNER TO "{role}"')
    yield role
    engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE complaints OWNER TO CURRENT_USER")
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE "{role}"')


CHAIN = (
    "ROLLBACK; START TRANSACTION READ WRITE; UPDATE complaints SET status='closed' "
    "WHERE id={id}; COMMIT"
)


def test_statement_chain_cannot_write_as_superuser(engine: Engine, store_url: str) -> None:
    complaint = insert_complaint(engine)
    attempt(store_url, CHAIN.format(id=complaint))
    assert status_of(engine, complaint) == "triaged"


@pytest.mark.only_on("postgresql")
def test_statement_chain_cannot_write_as_owner_role(
    engine: Engine, store_url: str, pg_role: str
) -> None:
    complaint = insert_complaint(engine)
    attempt(as_role(store_url, pg_role), CHAIN.format(id=complaint))
    assert status_of(engine, complaint) == "triaged"


@pytest.mark.only_on("postgresql")
@pytest.mark.parametrize("target", ["program", "file"])
def test_copy_runs_no_program_and_writes_no_file(
    engine: Engine, store_url: str, tmp_path: Path, target: str
) -> None:
    out = tmp_path / f"pwned-{uuid.uuid4().hex[:6]}"
    tmp_path.chmod(0o777)  # the server's user could write here if aduan let it
    sql = (
        f"COPY (SELECT 1) TO PROGRAM 'touch {out}'"
        if target == "program"
        else f"COPY (SELECT 1) TO '{out}'"
    )
    with pytest.raises(AduanError, match="read-only"):
        run_query(read_only_engine(store_url), sql)
    assert not out.exists()


@pytest.mark.only_on("postgresql")
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_read_file('/etc/hostname')",
        "SELECT pg_ls_dir('.')",
        "SELECT * FROM (SELECT set_config('role', current_user, true)) s",
        "SELECT query_to_xml('select pg_read_file(''/etc/hostname'')', true, true, '')",
    ],
)
def test_no_server_file_function_as_superuser(engine: Engine, store_url: str, sql: str) -> None:
    with pytest.raises(AduanError):
        run_query(read_only_engine(store_url), sql)


@pytest.mark.only_on("sqlite")
def test_sqlite_attach_creates_no_file(engine: Engine, store_url: str, tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    for sql in (
        f"ATTACH DATABASE '{target}' AS x",
        "PRAGMA query_only = OFF",
        "PRAGMA journal_mode = DELETE",
    ):
        with pytest.raises(AduanError, match="read-only"):
            run_query(read_only_engine(store_url), sql)
    assert not target.exists()


def test_reads_still_work(engine: Engine, store_url: str) -> None:
    insert_complaint(engine)
    columns, rows = run_query(
        read_only_engine(store_url), "SELECT reference, status FROM v_complaints;"
    )
    assert columns == ["reference", "status"] and [tuple(r)[1] for r in rows] == ["triaged"]
    _, rows = run_query(
        read_only_engine(store_url),
        "-- a comment\nWITH c AS (SELECT id FROM complaints) SELECT count(*) FROM c",
    )
    assert [tuple(r) for r in rows] == [(1,)]


@pytest.mark.only_on("postgresql")
def test_grant_readonly_role_reads_views_only(
    engine: Engine, store_url: str, tmp_path: Path
) -> None:
    insert_complaint(engine)
    role = f"analyst_{uuid.uuid4().hex[:8]}"
    result = aduan("db", "grant-readonly", role, url=store_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    analyst = create_engine(as_role(store_url, role))
    try:
        with analyst.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM v_complaints")).scalar_one() == 1
        for sql in (
            "SELECT count(*) FROM complaints",
            "SELECT count(*) FROM reporters",
            "SELECT pg_read_file('/etc/hostname')",
        ):
            with analyst.connect() as conn, pytest.raises(Exception, match="permission denied"):
                conn.execute(text(sql))
        with analyst.connect() as conn, pytest.raises(Exception, match="read-only"):
            conn.execute(text("CREATE TEMP TABLE t (x int)"))
    finally:
        analyst.dispose()
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')


@pytest.mark.only_on("postgresql")
def test_query_as_superuser_warns_once(engine: Engine, store_url: str, tmp_path: Path) -> None:
    result = aduan("query", "SELECT 1 AS one", url=store_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("superuser") == 1
