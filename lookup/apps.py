from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LookupConfig(AppConfig):
    name = "lookup"
    verbose_name = _("Customer lookup")

    def ready(self) -> None:
        # Connects the signals that make stored permission sets stale.
        from lookup import auth_backends  # noqa: F401
