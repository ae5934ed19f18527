"""Error reports (Django's DEBUG error page and error e-mails) that can show no secret.

A form that sets a secret (a cluster's SASL password, a connector's credentials) posts it, so a
crash while handling any POST could show it in the request's POST data or in a frame's local
variables. This filter is active even with DEBUG on, and for POST requests hides every POST value
and every frame variable; other requests keep Django's default filtering.
"""

from __future__ import annotations

from django.views.debug import SafeExceptionReporterFilter


class SecretSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        if request is not None and request.method == "POST":
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)
