"""Read-only admin: frameworks come from data files, so the admin shows them and can re-sync.

Editing rows here would drift from frameworks/data/*.json and be undone by the next sync; a
change to a framework is a change to its data file.
"""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from .data_schema import FrameworkDataError
from .models import Descriptor, DescriptorGroup, Framework, Term, Vocabulary
from .services import sync_frameworks_from_data


class ReadOnlyMixin:
    # The read-only form still builds a URL field; say which scheme it would assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DescriptorGroupInline(ReadOnlyMixin, admin.TabularInline):
    model = DescriptorGroup
    fields = ("order", "code", "label_ja", "label_en")
    extra = 0


class DescriptorInline(ReadOnlyMixin, admin.TabularInline):
    model = Descriptor
    fields = ("number", "key", "label_ja", "label_en", "required", "source", "group", "draws_on")
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("slug", "version", "name_ja", "name_en", "is_default", "crosswalk_code")
    list_filter = ("is_default",)
    search_fields = ("slug", "name_ja", "name_en")
    inlines = (DescriptorGroupInline, DescriptorInline)
    actions = ("resync_from_data_files",)

    def has_resync_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=_("Re-load every framework from its data file"),
        permissions=("resync",),
    )
    def resync_from_data_files(self, request, queryset):
        # Loads all files whatever is selected: the files, not the selection, are the truth.
        try:
            results = sync_frameworks_from_data()
        except FrameworkDataError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        changed = sum(result.created + result.updated + result.deleted for result in results)
        self.message_user(
            request,
            _("Frameworks re-loaded from their data files: %(count)s rows changed.")
            % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(Descriptor)
class DescriptorAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("framework", "number", "key", "label_ja", "label_en", "required", "source")
    list_filter = ("framework", "required", "source")
    search_fields = ("key", "label_ja", "label_en")
    list_select_related = ("framework",)


class TermInline(ReadOnlyMixin, admin.TabularInline):
    model = Term
    fields = ("order", "code", "label_ja", "label_en", "description_ja", "description_en", "data")
    extra = 0


@admin.register(Vocabulary)
class VocabularyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("framework", "key", "label_ja", "label_en")
    list_filter = ("framework",)
    search_fields = ("key", "label_ja", "label_en", "terms__code")
    list_select_related = ("framework",)
    inlines = (TermInline,)
