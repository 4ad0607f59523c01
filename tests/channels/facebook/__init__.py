"""Tests of the facebook channel."""
