from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Function, OidcIdentity, User


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "in_startgroup"]
    list_filter = ["in_startgroup"]


class OidcIdentityInline(admin.TabularInline):
    """Who the user is at the municipality's OpenID provider. Added by hand, it lets an
    existing local account be the one that person signs in to (accounts are never matched
    by e-mail)."""

    model = OidcIdentity
    extra = 0
    fields = ["issuer", "subject", "created_at", "signed_in_at"]
    readonly_fields = ["created_at", "signed_in_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [OidcIdentityInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "function",
        "may_log_events",
        "is_active",
    ]
    list_filter = ["function", "may_log_events", "is_active", "is_superuser"]
    list_select_related = ["function"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Kommunen", {"fields": ["function", "phone", "may_log_events"]}),
    ]
