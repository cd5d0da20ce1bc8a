from __future__ import annotations

from django.urls import path

from socialdesk.privacy import views

app_name = "privacy"

urlpatterns = [
    path("<int:pk>/", views.contact, name="contact"),
    path("<int:pk>/export.<str:kind>", views.export, name="contact_export"),
    path("<int:pk>/erase/", views.erase, name="contact_erase"),
]
