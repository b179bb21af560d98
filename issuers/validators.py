"""Field validators for issuer data."""

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_country_code(value: str) -> None:
    """ISO 3166-1 alpha-2, e.g. "JP" (case-insensitive; the model stores upper case)."""
    if not (len(value) == 2 and value.isascii() and value.isalpha()) or (
        pycountry.countries.get(alpha_2=value.upper()) is None
    ):
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. JP)."),
            code="invalid_country",
            params={"value": value},
        )


def validate_linkedin_organization_id(value: str) -> None:
    """LinkedIn's numeric company id, e.g. "1337" from linkedin.com/company/1337/admin/."""
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(
            _(
                "The LinkedIn organization ID is a number (digits 0-9 only), e.g. 1337; "
                "“%(value)s” is not."
            ),
            code="invalid_linkedin_organization_id",
            params={"value": value},
        )
