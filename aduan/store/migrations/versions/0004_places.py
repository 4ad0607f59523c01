"""places: where each complaint and incident is (kelurahan, kecamatan, RT/RW, street, landmark)

Revision ID: 0004_places
Revises: 0003_raw_time_order

Complaints gain the official region code, RT, RW, the street (without house
number), the gazetteer place named and where each place field came from;
incidents gain their category's place: kelurahan, kecamatan, region code and
place name (their ``category``, ``lat``, ``lon`` exist and are now filled).
``v_complaints`` is made again with the place columns at its end (the
house number never reaches it: ``street`` holds none). The columns are
nullable: ``aduan replay`` fills them for stored complaints.
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0004_places"
down_revision = "0003_raw_time_order"
branch_labels = None
depends_on = None

_views = importlib.import_module("aduan.store.migrations.versions.0002_views")

COMPLAINT_COLUMNS = (
    ("region_code", sa.String(16)),
    ("rt", sa.String(3)),
    ("rw", sa.String(3)),
    ("street", sa.Text()),
    ("place_name", sa.Text()),
    ("place_source", sa.Text()),
)
INCIDENT_COLUMNS = (
    ("kelurahan", sa.String(64)),
    ("kecamatan", sa.String(64)),
    ("region_code", sa.String(16)),
    ("place_name", sa.Text()),
)
PLACE_VIEW_COLUMNS = """    c.source_count AS source_count,
    c.region_code AS region_code,
    c.rt AS rt,
    c.rw AS rw,
    c.street AS street,
    c.place_name AS place_name
FROM complaints c"""


def _views_sql(dialect: str, *, places: bool) -> list[str]:
    complaints_view = _views.V_COMPLAINTS
    if places:
        old = "    c.source_count AS source_count\nFROM complaints c"
        assert old in complaints_view
        complaints_view = complaints_view.replace(old, PLACE_VIEW_COLUMNS)
    day = _views.DAY.get(dialect, _views.DAY["postgresql"])
    return [complaints_view, _views.V_DAILY_CHANNEL.format(day=day)]


def _drop_views() -> None:
    op.execute("DROP VIEW IF EXISTS v_daily_channel")
    op.execute("DROP VIEW IF EXISTS v_complaints")


def upgrade() -> None:
    _drop_views()
    for name, kind in COMPLAINT_COLUMNS:
        op.add_column("complaints", sa.Column(name, kind, nullable=True))
    for name, kind in INCIDENT_COLUMNS:
        op.add_column("incidents", sa.Column(name, kind, nullable=True))
    op.create_index("ix_complaints_kecamatan", "complaints", ["kecamatan"])
    op.create_index("ix_complaints_region", "complaints", ["region_code"])
    for sql in _views_sql(op.get_bind().dialect.name, places=True):
        op.execute(sql)


def downgrade() -> None:
    _drop_views()
    op.drop_index("ix_complaints_region", table_name="complaints")
    op.drop_index("ix_complaints_kecamatan", table_name="complaints")
    with op.batch_alter_table("incidents") as batch:
        for name, _kind in INCIDENT_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("complaints") as batch:
        for name, _kind in COMPLAINT_COLUMNS:
            batch.drop_column(name)
    for sql in _views_sql(op.get_bind().dialect.name, places=False):
        op.execute(sql)
