"""Tests of the twitter channel."""
