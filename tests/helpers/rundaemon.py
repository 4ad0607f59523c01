"""``python -m tests.helpers.rundaemon run ...``: the real ``aduan`` command with test channels.

Registers the HTTP feed channel (``testfeed``) and the signed push channel
(``testpush``) in the channel registry, then runs the CLI unchanged, so fault
tests and the soak benchmark drive a real daemon process.
"""

from __future__ import annotations

from aduan.channels.registry import REGISTRY
from tests.helpers.channels import SignedChannel
from tests.helpers.feed import FeedChannel

REGISTRY["testfeed"] = FeedChannel
REGISTRY["testpush"] = SignedChannel

if __name__ == "__main__":
    from aduan.cli import main

    main()
