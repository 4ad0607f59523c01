"""``python -m aduan`` is the ``aduan`` command."""

from aduan.cli import main

main()
