from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """One client's requests in one rate-limit window, counted by a single atomic upsert
    (core.ratelimit) when there is no Redis. Rows of past windows are deleted as new windows start."""

    key = models.CharField(max_length=120, unique=True)  # scope, keyed hash of the client, window
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
