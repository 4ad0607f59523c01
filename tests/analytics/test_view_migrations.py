"""Later migrations can still rebuild the tables the views read (SQLite batch mode)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from aduan.store import make_engine
from aduan.store.migrate import MIGRATIONS, alembic_config, upgrade

LATER = '''
"""a later migration that rebuilds complaints"""
import sqlalchemy as sa
from alembic import op

revision = "9999_later"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", recreate="always") as batch:
        batch.add_column(sa.Column("later", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints", recreate="always") as batch:
        batch.drop_column("later")
'''


def test_batch_rebuild_of_a_viewed_table(tmp_path: Path) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts)
    config = alembic_config()
    config.set_main_option("script_location", str(scripts))
    head = ScriptDirectory.from_config(config).get_current_head()
    (scripts / "versions" / "9999_later.py").write_text(LATER.format(head=head))
    engine = make_engine(f"sqlite:///{tmp_path / 'aduan.db'}")
    try:
        upgrade(engine)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM v_complaints")).scalar_one() == 0
            columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(complaints)")]
            assert "later" in columns
            assert conn.exec_driver_sql("PRAGMA legacy_alter_table").scalar_one() == 0
    finally:
        engine.dispose()


def test_views_downgrade_and_upgrade(engine: Engine) -> None:
    """The revision's own downgrade and upgrade, whatever the chain around it."""
    revision = ScriptDirectory.from_config(alembic_config()).get_revision("0002_views")
    assert revision is not None
    module = revision.module
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        module.downgrade()
    with engine.connect() as conn, pytest.raises(Exception, match="v_complaints"):
        conn.execute(text("SELECT * FROM v_complaints"))
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        module.upgrade()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM v_daily_channel")).scalar_one() == 0
