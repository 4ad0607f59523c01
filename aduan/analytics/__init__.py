"""Analysts' side of the store: the documented views, statistics and exports.

* :mod:`aduan.analytics.views` — the views' stable names and columns, as
  SQLAlchemy tables (the SQL itself is in migration ``0002_views``);
* :mod:`aduan.analytics.period` — ``--since``/``--until`` dates in the office's zone;
* :mod:`aduan.analytics.stats` — counts, overdue share, median time to
  resolution and SLA compliance per channel, category, agency, day or week;
* :mod:`aduan.analytics.export` — one row per complaint to CSV, JSON Lines or
  Parquet, streamed, personal data masked by :mod:`aduan.core.privacy`.
"""
