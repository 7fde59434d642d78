"""Receivers that record, as it happens, what the session state needs later: a re-issued
session (`pre_save` of a `SessionToken` whose `last_issued_at` changes) and outright
deletions (`post_delete` of a `SessionToken` or a user, cascades included: a model with a
`post_delete` receiver is deleted row by row, never by a fast bulk delete)."""
from django.conf import settings
from django.db.models.signals import post_delete, pre_save
from django.utils import timezone


def record_reissue(sender, instance, raw=False, update_fields=None, **kwargs):
    from drf_sso_feed.models import ReissuedSession

    if raw or instance._state.adding or instance.last_issued_at is None:
        return
    if update_fields is not None and "last_issued_at" not in update_fields:
        return
    if update_fields is None:
        # A full save: record only a real change of last_issued_at.
        old = sender._default_manager.filter(pk=instance.pk).values_list("last_issued_at", flat=True).first()
        if old == instance.last_issued_at:
            return
    ReissuedSession.objects.update_or_create(session_id=instance.pk, defaults={"reissued_at": timezone.now()})


def record_session_deleted(sender, instance, **kwargs):
    from drf_sso_feed.models import DeletedSession

    DeletedSession.objects.update_or_create(
        session_id=instance.pk, defaults={"user_id": instance.user_id, "deleted_at": timezone.now()}
    )


def record_user_deleted(sender, instance, **kwargs):
    from drf_sso_feed.models import DeletedUser

    DeletedUser.objects.update_or_create(user_id=instance.pk, defaults={"deleted_at": timezone.now()})


def connect():
    from rest_framework_sso.models import SessionToken

    pre_save.connect(record_reissue, sender=SessionToken, dispatch_uid="drf_sso_feed.reissue")
    post_delete.connect(record_session_deleted, sender=SessionToken, dispatch_uid="drf_sso_feed.session_deleted")
    post_delete.connect(record_user_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="drf_sso_feed.user_deleted")
