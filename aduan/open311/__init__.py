"""Open311 GeoReport v2: partners (JAKI, LAPOR! 1708, district offices) push and read complaints.

* :mod:`aduan.channels.open311` — the ``open311`` channel: one instance per partner
  (its API key, whether it may update statuses); a POSTed request becomes a raw
  message like any other channel's.
* :mod:`aduan.open311.api` — the HTTP API under ``/open311/v2/``.
* :mod:`aduan.open311.formats` — JSON and XML bodies and the spec's error format.
"""
