"""analysts' views: v_complaints, v_complaint_sources, v_daily_channel

Revision ID: 0002_views
Revises: 0001

The SQL is the same on SQLite and PostgreSQL: only CASE, COALESCE, joins and
CURRENT_TIMESTAMP. Flags are integers 0/1 on both databases. The column lists
are documented in the README ("Analysts") and mirrored by
``aduan.analytics.views``; a test checks the three agree.
"""

from __future__ import annotations

from alembic import op

revision = "0002_views"
down_revision = "0001"
branch_labels = None
depends_on = None

# Overdue: the escalation job's stored mark, or still open past due_at right now.
# SQLite keeps UTCDateTime as "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC) and its
# CURRENT_TIMESTAMP is "YYYY-MM-DD HH:MM:SS" in UTC, so text order is time order.
V_COMPLAINTS = """
CREATE VIEW v_complaints AS
SELECT
    c.id AS complaint_id,
    c.reference AS reference,
    c.channel AS channel,
    c.account AS account,
    r.key AS reporter_key,
    c.category AS category,
    c.agency AS agency,
    c.priority AS priority,
    c.track AS track,
    c.status AS status,
    c.triage_source AS triage_source,
    c.received_at AS received_at,
    c.due_at AS due_at,
    c.resolved_at AS resolved_at,
    c.closed_at AS closed_at,
    CASE
        WHEN c.overdue THEN 1
        WHEN c.resolved_at IS NULL AND c.closed_at IS NULL
             AND c.due_at IS NOT NULL AND c.due_at < CURRENT_TIMESTAMP THEN 1
        ELSE 0
    END AS overdue,
    CASE
        WHEN c.resolved_at IS NOT NULL AND c.due_at IS NOT NULL
             AND c.resolved_at <= c.due_at THEN 1
        ELSE 0
    END AS resolved_in_time,
    c.incident_id AS incident_id,
    i.reference AS incident_reference,
    c.kecamatan AS kecamatan,
    c.kelurahan AS kelurahan,
    c.source_count AS source_count
FROM complaints c
LEFT JOIN reporters r ON r.id = c.reporter_id
LEFT JOIN incidents i ON i.id = c.incident_id
"""

V_COMPLAINT_SOURCES = """
CREATE VIEW v_complaint_sources AS
SELECT
    s.id AS source_id,
    c.id AS complaint_id,
    c.reference AS complaint_reference,
    s.reference AS source_reference,
    m.id AS raw_id,
    m.channel AS channel,
    m.account AS account,
    m.external_id AS external_id,
    s.role AS role,
    s.similarity AS similarity,
    m.received_at AS received_at,
    m.status AS raw_status
FROM complaint_sources s
JOIN complaints c ON c.id = s.complaint_id
JOIN raw_messages m ON m.id = s.raw_message_id
"""

# Days in UTC: the view must not depend on a configured time zone. `aduan stats
# --by day` groups by the office's local day instead.
V_DAILY_CHANNEL = """
CREATE VIEW v_daily_channel AS
SELECT
    {day} AS day,
    channel AS channel,
    COUNT(*) AS complaints,
    SUM(overdue) AS overdue,
    SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved,
    SUM(resolved_in_time) AS resolved_in_time
FROM v_complaints
GROUP BY {day}, channel
"""

DAY = {
    "sqlite": "substr(received_at, 1, 10)",
    "postgresql": "to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(V_COMPLAINTS)
    op.execute(V_COMPLAINT_SOURCES)
    op.execute(V_DAILY_CHANNEL.format(day=DAY.get(dialect, DAY["postgresql"])))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_daily_channel")
    op.execute("DROP VIEW IF EXISTS v_complaint_sources")
    op.execute("DROP VIEW IF EXISTS v_complaints")
