"""`limit`/`offset` for every list: a limit above the maximum is clamped, anything else invalid is a 400."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

from controlplane.exceptions import ValidationFailed

MAX_LIMIT = 200


def _integer_at_least(raw: str, *, minimum: int, name: str) -> int:
    # Digits only, as sent: no sign, no spaces, no "null".
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValidationFailed({name: [f"must be a whole number of at least {minimum}"]})
    return int(raw)


class ApiPagination(LimitOffsetPagination):
    """The default limit is the PAGE_SIZE setting (50)."""

    max_limit = MAX_LIMIT

    def get_limit(self, request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        return min(_integer_at_least(raw, minimum=1, name=self.limit_query_param), self.max_limit)

    def get_offset(self, request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return _integer_at_least(raw, minimum=0, name=self.offset_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"Results per page (default {self.default_limit}; a larger value than {MAX_LIMIT} is clamped)."
                )
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"]["minimum"] = 0
        return parameters
