"""aduan: citizens' complaints from every channel into one store, deduplicated and routed.

The flow (see DESIGN.md): channels fetch or receive raw messages, which are
stored verbatim first (``store``); ``normalize`` turns them into complaint
records, linking reporters and removing duplicates; ``triage`` routes each to
an agency and sets its three-working-day clock; the daemon (``scheduler`` and
``web``) drives it all; ``cli`` is the ``aduan`` command.
"""

__version__ = "0.1.0"
