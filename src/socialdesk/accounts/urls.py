from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from socialdesk.accounts.views import admin, departments, own, people, signin, sites

app_name = "accounts"

_reset = {"success_url": reverse_lazy("accounts:password_reset_complete")}

urlpatterns = [
    path("login/", signin.login_view, name="login"),
    path("login/code/", signin.login_two_factor, name="login_two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html", **_reset
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", signin.invitation_accept, name="invitation_accept"),
    path("me/", own.profile, name="profile"),
    path("me/password/", own.password_change, name="password_change"),
    path("me/two-factor/", own.two_factor_setup, name="two_factor"),
    path("me/two-factor/off/", own.two_factor_disable, name="two_factor_disable"),
    path("me/tokens/", own.tokens, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", own.token_revoke, name="token_revoke"),
    path("departments/", departments.department_list, name="department_list"),
    path("departments/new/", departments.department_create, name="department_create"),
    path("departments/<int:pk>/", departments.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", departments.department_edit, name="department_edit"),
    path("departments/<int:pk>/delete/", departments.department_delete, name="department_delete"),
    path("settings/sites/", sites.sites, name="sites"),
    path("settings/sites/new/", sites.site_new, name="site_new"),
    path("settings/sites/<int:pk>/edit/", sites.site_edit, name="site_edit"),
    path("settings/sites/<int:pk>/delete/", sites.site_delete, name="site_delete"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:pk>/reset-two-factor/",
        people.person_reset_two_factor,
        name="person_reset_two_factor",
    ),
    path("invitations/<int:pk>/revoke/", people.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", people.invitation_resend, name="invitation_resend"),
    path("settings/organisation/", admin.organisation, name="organisation"),
    path("settings/audit-log/", admin.audit_log, name="audit_log"),
]
