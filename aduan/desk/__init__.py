"""The walk-in desk: clerks' login, the ``/desk`` form, ``aduan intake``, the ``/dashboard``.

* :mod:`aduan.config.desk`: the ``[desk]`` config section (clerks, proxy header, limits).
* :mod:`aduan.desk.auth`: scrypt password hashes, signed session cookies, CSRF tokens.
* :mod:`aduan.desk.entry`: validating a clerk's entry (form or terminal) in Indonesian.
* :mod:`aduan.desk.intake`: an entry into the raw archive with a reference number.
* :mod:`aduan.desk.web`: the pages (``/login``, ``/desk``, ``/dashboard``).
* :mod:`aduan.desk.dashboard` and :mod:`aduan.desk.svg`: figures and server-side charts.
"""
