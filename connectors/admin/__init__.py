"""The Django admin: the platform team's console. Pages read through selectors and act through the
same services (and Celery tasks) as the API, with the admin user as the actor; no admin class holds
business logic. Secrets are write-only everywhere: a field to replace one, never one that shows it."""

from connectors.admin import clusters, connectors, unmanaged  # noqa: F401 - registers the pages
