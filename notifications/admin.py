from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Notification, ReminderLog
from .selectors import delivery_reminders


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    raw_id_fields = ["recipient", "reminder"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "item_kind", "item_id", "recipient", "unit", "due_date"]
    list_filter = ["kind", "item_kind", "day"]
    raw_id_fields = ["recipient", "unit"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "day",
        "channel",
        "unit",
        "target_display",
        "state",
        "attempts",
        "last_attempt_at",
    ]
    # A robot address holds its key: shown masked only. A person's delivery finds its
    # reminders by its run rather than by links: shown as the message lists them.
    exclude = ["target", "reminders"]
    list_filter = ["channel", "state", "day"]
    raw_id_fields = ["recipient", "unit"]
    filter_horizontal: list[str] = []
    readonly_fields = ["carried_reminders"]

    @admin.display(description=_("reminders"))
    def carried_reminders(self, obj: Delivery) -> str:
        return "\n".join(str(r) for r in delivery_reminders(obj)) if obj.pk else ""
