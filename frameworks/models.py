"""Micro-credential frameworks as versioned data: descriptors, their groups, vocabularies.

Rows are written only by `frameworks.services` from the files in `frameworks/data/`; the admin is
read-only, so an edit can never drift from the file it came from.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import pick
from .value_types import CANONICAL_KEYS, VALUE_TYPES


class Framework(models.Model):
    """One version of a micro-credential framework (e.g. jp-mc 1.0, eu-mc 2022)."""

    slug = models.SlugField(_("slug"), max_length=50)
    version = models.CharField(_("version"), max_length=20)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    publisher_ja = models.CharField(_("publisher (Japanese)"), max_length=300, blank=True)
    publisher_en = models.CharField(_("publisher (English)"), max_length=300, blank=True)
    reference_ja = models.TextField(_("reference (Japanese)"), blank=True)
    reference_en = models.TextField(_("reference (English)"), blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    is_default = models.BooleanField(_("default framework"), default=False)
    crosswalk_code = models.SlugField(
        _("crosswalk code"),
        max_length=20,
        blank=True,
        help_text=_("The target name crosswalk() knows this framework by, e.g. eu or au."),
    )
    rules = models.JSONField(_("micro-credential rules"), default=dict, blank=True)
    comparison_columns = models.JSONField(
        _("comparison columns"),
        default=list,
        blank=True,
        help_text=_("The columns of the framework's own comparison table (code and labels)."),
    )
    vocabularies_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vocabularies from"),
        help_text=_("Another framework whose controlled vocabularies this one shares."),
    )
    data_file = models.CharField(_("data file"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="framework_slug_version"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_framework",
            ),
        ]

    def __str__(self):
        return f"{self.slug} {self.version}"

    @property
    def name(self) -> str:
        return pick(self.name_ja, self.name_en)

    @property
    def publisher(self) -> str:
        return pick(self.publisher_ja, self.publisher_en)

    @property
    def reference(self) -> str:
        return pick(self.reference_ja, self.reference_en)

    @property
    def vocabulary_owner(self) -> "Framework":
        """The framework whose vocabularies apply to this one."""
        return self.vocabularies_from or self


class DescriptorGroup(models.Model):
    """A heading under which a framework's descriptors are shown together."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="groups", verbose_name=_("framework")
    )
    code = models.SlugField(_("code"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)

    class Meta:
        verbose_name = _("descriptor group")
        verbose_name_plural = _("descriptor groups")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="group_code_per_framework"),
        ]

    def __str__(self):
        return f"{self.framework}: {self.code}"

    @property
    def label(self) -> str:
        return pick(self.label_ja, self.label_en)


class Descriptor(models.Model):
    """One element of a framework: for jp-mc a common descriptor, for eu-mc an Annex I element.

    `draws_on` says which canonical descriptor keys (docs/descriptors.md) the element is read
    from, optionally narrowed to a facet of the value, e.g. [{"key": "credit_recognition",
    "facet": "ects"}]. The value type is the shape of its first source.
    """

    class Source(models.TextChoices):
        PROGRAMME = "programme", _("Programme")
        ISSUER = "issuer", _("Issuer organisation")
        AWARD = "award", _("Award (at issuing)")

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="descriptors", verbose_name=_("framework")
    )
    key = models.SlugField(_("key"), max_length=50)
    number = models.PositiveSmallIntegerField(_("number"))
    group = models.ForeignKey(
        DescriptorGroup,
        # RESTRICT, not PROTECT: deleting a framework deletes its groups and descriptors together.
        on_delete=models.RESTRICT,
        related_name="descriptors",
        verbose_name=_("group"),
    )
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    required = models.BooleanField(_("required"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    help_ja = models.TextField(_("help text (Japanese)"), blank=True)
    help_en = models.TextField(_("help text (English)"), blank=True)
    value_type = models.CharField(_("value type"), max_length=40, blank=True)
    draws_on = models.JSONField(_("draws on"), default=list, blank=True)
    comparison = models.JSONField(
        _("comparison flags"),
        default=dict,
        blank=True,
        help_text=_("Per comparison column: required, optional or present."),
    )

    class Meta:
        verbose_name = _("descriptor")
        verbose_name_plural = _("descriptors")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "key"], name="descriptor_key_per_framework"
            ),
            models.UniqueConstraint(
                fields=["framework", "number"], name="descriptor_number_per_framework"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=["programme", "issuer", "award"]),
                name="descriptor_source_known",
            ),
        ]

    def __str__(self):
        return f"{self.framework}: {self.key}"

    @property
    def label(self) -> str:
        return pick(self.label_ja, self.label_en)

    @property
    def help(self) -> str:
        return pick(self.help_ja, self.help_en)

    @property
    def source_keys(self) -> list[str]:
        return [source["key"] for source in self.draws_on]

    def clean(self):
        unknown = [s.get("key") for s in self.draws_on if s.get("key") not in CANONICAL_KEYS]
        if unknown:
            raise ValidationError(
                {"draws_on": _("Not canonical descriptor keys: %(keys)s") % {"keys": unknown}}
            )
        if self.value_type and self.value_type not in VALUE_TYPES:
            raise ValidationError({"value_type": _("Unknown value type.")})

    def comparison_flag(self, column: str) -> str:
        """ "required", "optional", "present" or "" for a column of the comparison table."""
        return self.comparison.get(column, "")


class Vocabulary(models.Model):
    """A controlled list of codes, e.g. assessment types or credit systems."""

    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="vocabularies",
        verbose_name=_("framework"),
    )
    key = models.SlugField(_("key"), max_length=50)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)

    class Meta:
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")
        ordering = ["framework", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "key"], name="vocabulary_key_per_framework"
            ),
        ]

    def __str__(self):
        return f"{self.framework}: {self.key}"

    @property
    def label(self) -> str:
        return pick(self.label_ja, self.label_en)


class Term(models.Model):
    """One code of a vocabulary; `data` holds what the code means to the rules (e.g. hours)."""

    vocabulary = models.ForeignKey(
        Vocabulary, on_delete=models.CASCADE, related_name="terms", verbose_name=_("vocabulary")
    )
    code = models.CharField(_("code"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"))
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["vocabulary", "order"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_code_per_vocabulary"),
        ]

    def __str__(self):
        return f"{self.vocabulary.key}: {self.code}"

    @property
    def label(self) -> str:
        return pick(self.label_ja, self.label_en)

    @property
    def description(self) -> str:
        return pick(self.description_ja, self.description_en)
