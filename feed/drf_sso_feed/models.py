"""What the session state needs beyond drf-sso's own `SessionToken` table: the facts the
database loses: a session re-issued (its older tokens superseded), a session or user deleted
outright (their tokens now "Invalid token.").

Rows are written by the signal receivers in `signals.py` (ORM saves and deletes, cascades
included); `QuerySet.update()`, `QuerySet._raw_delete()` and raw SQL bypass them."""
from django.db import models


class ReissuedSession(models.Model):
    """A session whose `last_issued_at` moved after it was created: tokens it issued before
    then are superseded (drf-sso's `VERIFY_TOKEN_ISSUED_AT`)."""

    session_id = models.UUIDField(primary_key=True)
    reissued_at = models.DateTimeField(db_index=True)


class DeletedSession(models.Model):
    """A `SessionToken` row deleted outright."""

    session_id = models.UUIDField(primary_key=True)
    user_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(db_index=True)


class DeletedUser(models.Model):
    """A user deleted outright (their sessions go with them, by cascade)."""

    user_id = models.BigIntegerField(primary_key=True)
    deleted_at = models.DateTimeField(db_index=True)
