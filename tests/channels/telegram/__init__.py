"""Tests of the telegram channel."""
