"""GET /programs/{id}/crosswalk/: the query it takes and the export it answers with."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credentials.selectors_crosswalk import EXPORT_TARGETS


class CrosswalkInputSerializer(serializers.Serializer):
    framework = serializers.ChoiceField(
        choices=EXPORT_TARGETS,
        help_text=_("The framework to map onto: eu (EU Annex I) or au (Australia's NMF)."),
        error_messages={
            "required": _(
                "Name the framework to export to. Allowed: eu (EU Council Recommendation "
                "2022/C 243/02, Annex I), au (Australia's National Microcredentials Framework)."
            ),
            "invalid_choice": _(
                "“{input}” is not a framework to export to. Allowed: eu (EU Council "
                "Recommendation 2022/C 243/02, Annex I), au (Australia's National "
                "Microcredentials Framework)."
            ),
        },
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_("The programme version; its latest version when left out."),
    )


class SpanSerializer(serializers.Serializer):
    min = serializers.FloatField(source="low")
    max = serializers.FloatField(source="high")


class CrosswalkFrameworkSerializer(serializers.Serializer):
    code = serializers.CharField(source="target", help_text=_("eu or au"))
    slug = serializers.CharField(source="framework_slug")
    version = serializers.CharField(source="framework_version")
    name_ja = serializers.CharField(source="framework_name_ja")
    name_en = serializers.CharField(source="framework_name_en")


class CrosswalkElementSerializer(serializers.Serializer):
    key = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    required = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["present", "missing", "invalid", "at_issuing"])
    value_ja = serializers.CharField()
    value_en = serializers.CharField()
    draws_on = serializers.ListField(
        child=serializers.CharField(),
        help_text=_(
            "The Japanese descriptors (canonical keys, with a facet after a dot) the element "
            "is drawn from."
        ),
    )


class LearningHoursSerializer(serializers.Serializer):
    hours = SpanSerializer()
    source = serializers.ChoiceField(choices=["learner_effort", "credits"])
    from_system = serializers.CharField(allow_null=True)
    basis_ja = serializers.CharField()
    basis_en = serializers.CharField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["from_system"] = data["from_system"] or None
        return data


class CreditEquivalentSerializer(serializers.Serializer):
    system = serializers.CharField(help_text=_("A code of the credit_systems vocabulary."))
    label_ja = serializers.CharField()
    label_en = serializers.CharField()
    definition_ja = serializers.CharField()
    definition_en = serializers.CharField()
    hours_per_credit = SpanSerializer()
    status = serializers.ChoiceField(choices=["stated", "converted", "not_convertible"])
    amount = SpanSerializer(allow_null=True)
    amount_ja = serializers.CharField()
    amount_en = serializers.CharField()
    basis_ja = serializers.CharField()
    basis_en = serializers.CharField()


class CreditConversionSerializer(serializers.Serializer):
    hours = LearningHoursSerializer(
        allow_null=True, help_text=_("The learning hours every conversion starts from.")
    )
    equivalents = CreditEquivalentSerializer(many=True)


class LevelReferenceSerializer(serializers.Serializer):
    jeqf_level = serializers.IntegerField(allow_null=True)
    eqf_level = serializers.IntegerField(allow_null=True)
    qf_ehea_cycle = serializers.ChoiceField(
        choices=["short_cycle", "first_cycle", "second_cycle", "third_cycle"], allow_null=True
    )
    status = serializers.ChoiceField(choices=["indicative", "no_indication"])
    value_ja = serializers.CharField()
    value_en = serializers.CharField()
    basis_ja = serializers.CharField()
    basis_en = serializers.CharField()


class CrosswalkOutputSerializer(serializers.Serializer):
    program = serializers.IntegerField(source="programme.pk")
    version = serializers.IntegerField(source="version.number")
    lang = serializers.CharField()
    framework = CrosswalkFrameworkSerializer(source="crosswalk")
    elements = CrosswalkElementSerializer(source="crosswalk.elements", many=True)
    missing = serializers.SerializerMethodField(
        help_text=_("Keys of the required elements the programme does not (validly) provide.")
    )
    level_reference = LevelReferenceSerializer(
        source="level",
        allow_null=True,
        help_text=_(
            "EU only: the EQF level and QF-EHEA cycle indicated by the JEQF level, with its "
            "basis (an indication, not a formal referencing); null when no level is stated."
        ),
    )
    credit_conversion = CreditConversionSerializer(source="conversion")

    def get_missing(self, export) -> list[str]:
        return [element.key for element in export.crosswalk.missing]
