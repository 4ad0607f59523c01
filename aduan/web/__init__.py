"""The web side of the daemon: webhooks, health, tracking, metrics and the spool.

:func:`aduan.web.app.build_app` serves the route groups it is given; the list of
them (web's own, the desk's, Open311's) is :data:`aduan.daemon.app.ROUTE_GROUPS`.
"""
