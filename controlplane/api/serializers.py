"""Request serializers that refuse what they do not know: no input field is silently dropped."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """Unknown top-level fields (a typo such as "desired_stat") are a 400 naming each of them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                known = ", ".join(sorted(self.fields))
                raise serializers.ValidationError({name: [f"unknown field; known fields: {known}"] for name in unknown})
        return super().to_internal_value(data)
