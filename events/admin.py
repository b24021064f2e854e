from django.contrib import admin

from events.models import Event, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "created_at"]
    list_filter = ["phase"]
    search_fields = ["title"]
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        # Public records (allmänna handlingar) are never deleted.
        return False
