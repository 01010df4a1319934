"""Create or reset the sandbox's demo agent and print how to sign in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from lookup.access import agents_group

DEMO_USERNAME = "demo-agent"


class Command(BaseCommand):
    help = "Create (or reset the password of) the demo agent. Sandbox mode only."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.PRIMEDATA_SANDBOX:
            raise CommandError(
                "PRIMEDATA_BASE_URL is set, so this is not the sandbox: create real agents in the admin."
            )
        password = secrets.token_urlsafe(9)
        user, _created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.set_password(password)
        user.is_active = True
        user.save()
        user.groups.add(agents_group())
        # One line per interface language, Vietnamese first, so whoever runs
        # the dashboard can read how to sign in.
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                line = _("Demo agent for the sandbox: user name %(username)s  password %(password)s") % {
                    "username": DEMO_USERNAME,
                    "password": password,
                }
            self.stdout.write(self.style.SUCCESS(line))
