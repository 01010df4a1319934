"""Create or reset the sandbox's demo agent and print how to sign in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo agent for the sandbox: user name {DEMO_USERNAME}  password {password}"
            )
        )
