"""Staff views of the derived badge rows: read-only, they are rebuilt from awards."""

from django.contrib import admin

from badges.models import BadgeRecord, StatusList


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "issuer", "purpose", "size", "version", "signed_version")
    list_filter = ("purpose", "issuer")
    exclude = ("bits", "credential")


@admin.register(BadgeRecord)
class BadgeRecordAdmin(ReadOnlyAdmin):
    list_display = ("award", "status_list", "status_index", "ob3_signing_key", "created_at")
    search_fields = ("award__public_id", "award__learner__email")
    raw_id_fields = ("award",)
    exclude = ("ob2_assertion", "ob2_jws", "ob3_credential")
