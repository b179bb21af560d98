"""Query parameters of the API's lists, parsed one way: bounded integers and checked cursors.

An integer larger than the database's bigint (2**63 - 1) or a forged cursor used to reach the
database and fail there (500). Every list filter declares its ids with :class:`IdField` and every
list paginates with :class:`BoundedCursorPagination`, so bad values answer 400 problems that name
the parameter (in the request's language), before any query runs.
"""

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination

DATABASE_ID_MAX = 2**63 - 1  # PostgreSQL bigint, the type of every primary key here


class IdField(serializers.IntegerField):
    """A database id in a query or body: 1 … 2**63 - 1."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", DATABASE_ID_MAX)
        super().__init__(**kwargs)


class BoundedCursorPagination(CursorPagination):
    """CursorPagination that refuses (400) what DRF would silently ignore or pass to the
    database: a page_size outside 1…max_page_size, a cursor that does not decode, and a cursor
    whose position is not a value of the ordering field."""

    invalid_cursor_message = _("This cursor is not valid: use the next or previous link as given.")

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return field.run_validation(raw)
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({self.page_size_query_param: error.detail}) from None

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise self._invalid_cursor() from None
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        try:
            field = self._model._meta.get_field(ordering.lstrip("-"))
        except (AttributeError, FieldDoesNotExist):
            return
        try:
            # to_python parses, the field's validators hold the database's integer range.
            field.run_validators(field.to_python(position))
        except (DjangoValidationError, OverflowError, ValueError):
            raise self._invalid_cursor() from None

    def _invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    **parameter["schema"],
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters
