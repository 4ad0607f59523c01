"""``aduan demo``: a made-up day at South Jakarta's complaint desk, through the whole pipeline."""
