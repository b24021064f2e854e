from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Function, User


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "in_startgroup"]
    list_filter = ["in_startgroup"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
