from django.urls import path, register_converter

from lookup import views


class ProfileIdConverter:
    """PrimeData profile ids: 27 letters and digits (base62)."""

    regex = "[0-9A-Za-z]{27}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProfileIdConverter, "profile_id")

urlpatterns = [
    path("", views.search, name="search"),
    path("lookup/", views.lookup, name="lookup"),
    path("profiles/<profile_id:profile_id>/", views.profile_detail, name="profile_detail"),
    path("profiles/<profile_id:profile_id>/timeline/", views.profile_timeline, name="profile_timeline"),
    path("profiles/<profile_id:profile_id>/reveal/", views.contact_reveal, name="contact_reveal"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
