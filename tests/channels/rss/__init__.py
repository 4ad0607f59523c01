"""Tests of the rss channel."""
