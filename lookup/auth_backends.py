"""Django's model backend with each agent and their permissions kept for a short time in the shared cache.

Every page reads the signed-in agent, and every lookup page checks whether
the agent may look up customers and may see contact details. Django's
ModelBackend reads these with three database queries per request. This
backend takes them from one cache read.

The stored agent contains the password hash, as the database row does,
because every request checks its session against it. The shared cache is
as private to the dashboard as its database.

Any change to users, groups or permissions replaces a generation token in
the cache, which makes every stored agent and permission set stale at once,
in every worker that shares the cache (Redis in production). With a
per-process cache, such as the local-memory default, other processes notice
a change only when their entry expires after PERMISSIONS_CACHE_SECONDS.
"""

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

logger = logging.getLogger(__name__)

T = TypeVar("T")

PERMISSIONS_CACHE_SECONDS = 60
_GENERATION_KEY = "auth:permissions:generation"


class CachedPermissionBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = self._shared_user(user_id)
        except Exception:
            logger.exception("The agent could not be read from the cache, so it was read from the database")
            return super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _shared_user(self, user_id):
        """Return the agent with ``user_id``, permissions included, from the cache or the database."""
        # Creating a user saves it, which makes every stored agent stale, so a
        # primary key that a rolled-back test database hands out again is safe.
        return _current_or_load(f"auth:agent:{user_id}", lambda: self._load_user(user_id))

    def _load_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None:
            user._perm_cache = super().get_all_permissions(user)
        return user

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            try:
                user_obj._perm_cache = self._shared_permissions(user_obj)
            except Exception:
                logger.exception("Permissions could not be read from the cache, so they were read from the database")
                user_obj._perm_cache = super().get_all_permissions(user_obj)
        return user_obj._perm_cache

    def _shared_permissions(self, user_obj) -> set[str]:
        # A primary key can come back after a test database rolls back, so
        # the sign-up time is part of the key too.
        key = f"auth:permissions:{user_obj.pk}:{user_obj.date_joined.timestamp()}"
        return _current_or_load(key, lambda: super(CachedPermissionBackend, self).get_all_permissions(user_obj))


def _current_or_load(key: str, load: Callable[[], T | None]) -> T | None:
    """Return the value stored under ``key`` for the current generation, or load and store it.

    A missing value (a removed or deactivated agent) is not stored, so the
    next request loads it again.
    """
    stored = cache.get_many([_GENERATION_KEY, key])
    generation = stored.get(_GENERATION_KEY)
    entry = stored.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        return entry[1]
    generation = generation or _first_generation()
    value = load()
    if value is not None:
        cache.set(key, (generation, value), timeout=PERMISSIONS_CACHE_SECONDS)
    return value


def _first_generation() -> str:
    generation = uuid.uuid4().hex
    if not cache.add(_GENERATION_KEY, generation, timeout=None):
        generation = cache.get(_GENERATION_KEY)
    return generation


def forget_all_permissions() -> None:
    """Make every agent's stored permission set stale, now and again once the change commits.

    A request running between the two could store the permissions it read
    before the commit, so the second replacement makes that entry stale too.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    try:
        cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("Stored permissions could not be made stale, so they stay valid until they expire within %d s",
                         PERMISSIONS_CACHE_SECONDS)


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _membership_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        forget_all_permissions()


@receiver(post_save, sender=get_user_model())
def _user_saved(sender, update_fields=None, **kwargs) -> None:
    # Signing in saves last_login alone, which changes no permission.
    if update_fields is None or set(update_fields) != {"last_login"}:
        forget_all_permissions()


@receiver(post_delete, sender=get_user_model())
@receiver(post_save, sender=Group)
@receiver(post_delete, sender=Group)
@receiver(post_save, sender=Permission)
@receiver(post_delete, sender=Permission)
def _permissions_changed(sender, **kwargs) -> None:
    forget_all_permissions()
