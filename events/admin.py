from django.contrib import admin

from events import services
from events.models import Event, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["added_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "created_at"]
    list_filter = ["phase"]
    search_fields = ["title"]
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        # Public records (allmänna handlingar) are never deleted.
        return False

    # Here only who is on a case is changed (save_formset). A case is logged, and its own
    # fields and phase changed, on the site, through events.services: there the change is
    # in the händelselogg, checked against the version a colleague saved, and a newly
    # logged case convenes its startgrupp.
    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Event._meta.concrete_fields if field.editable]

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only: saving the row would only write back what was read

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # Who is on a case goes through the same services as on the case page, so the change
        # is in the händelselogg (and reaches whom it concerns) instead of only in the table.
        event, by = form.instance, request.user
        formset.save(commit=False)
        leaving = [m.user for m in formset.deleted_objects]
        for membership, changed in formset.changed_objects:
            if "user" in changed:
                # The row now names somebody else: the one it named leaves the case.
                leaving.append(Membership.objects.get(pk=membership.pk).user)
        # Everyone leaving first: two rows that swap people must not meet on the way.
        for user in leaving:
            services.remove_membership(event, user, by=by)
        for membership in [*formset.new_objects, *(m for m, _ in formset.changed_objects)]:
            services.set_membership(event, membership.user, membership.group, by=by)
