from django.contrib import admin

from commsplan.models import Channel, Municipality, TargetGroup, TimetableDefault


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """The one row: the letterhead and the default answers of the plan."""

    fieldsets = [
        ("Brevhuvud", {"fields": ["name", "address", "web", "logo"]}),
        (
            "Kommunikationsplanens svar (förifylls i varje nytt ärende)",
            {
                "fields": [
                    "problem",
                    "purpose",
                    "strategy",
                    "audience_internal",
                    "audience_external",
                    "message",
                    "channels",
                    "speakers",
                    "timing",
                    "cost",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return not Municipality.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None):
        # Published texts name their channel; retire a channel with "i bruk" instead.
        return False


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "internal", "position", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimetableDefault)
class TimetableDefaultAdmin(admin.ModelAdmin):
    list_display = ["position", "when", "message"]
    list_display_links = ["when"]
    filter_horizontal = ["channels", "target_groups"]
