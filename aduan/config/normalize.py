"""The ``[normalize]`` settings section: dedup windows and thresholds, batch sizes.

Defaults suit a city desk: a citizen's resend or follow-up within 7 days
joins the complaint; an explicit follow-up ("gimana kelanjutannya?") up to 30
days later; other reporters' reports of one problem within 7 days form an
incident. Thresholds are fractions (0..1) of the word similarity.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NormalizeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_days: float = Field(7.0, gt=0, description="Same complaint: same reporter within.")
    followup_days: float = Field(
        30.0, gt=0, description="An explicit follow-up joins the reporter's complaint within."
    )
    incident_window_days: float = Field(
        7.0, gt=0, description="Same incident: other reporters' reports within."
    )
    near_duplicate: float = Field(
        0.9, gt=0, le=1, description="Word similarity above which two texts are one text."
    )
    lsh_threshold: float = Field(
        0.7, gt=0, le=1, description="Shingle Jaccard similarity MinHash LSH aims to find."
    )
    num_perm: int = Field(64, ge=16, le=256, description="MinHash permutations.")
    shingle_words: int = Field(2, ge=1, le=4, description="Words per shingle.")
    max_candidates: int = Field(
        24, ge=1, description="Most recent block-index candidates checked per message."
    )
    batch_size: int = Field(1000, ge=1, le=100_000, description="Raw messages per batch.")
    transaction_ms: float = Field(
        50.0,
        gt=0,
        description="The daemon's batches are sized to hold the store about this long "
        "(SQLite has one writer: webhooks wait for them); batch_size caps them.",
    )
    fragment_wait_minutes: float = Field(
        60.0, gt=0, description="How long to wait for the missing parts of a split SMS."
    )
    reference_prefix: str = Field("ADU", min_length=1, max_length=8)
    incident_prefix: str = Field("INC", min_length=1, max_length=8)
