# syntax=docker/dockerfile:1
# The control plane's image: the web API (gunicorn), the Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=controlplane.settings.production \
    CONTROLPLANE_VAR_DIR=/app/var

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Dependencies first, so the layer is reused while only the code changes. The constraints file pins
# every version.
COPY requirements/base.in requirements/constraints.txt requirements/
RUN pip install -r requirements/base.in -c requirements/constraints.txt

# The project's code only: never .venv/, var/ (it holds the local encryption key) or .env, nor devstack/
# (development tooling).
COPY manage.py ./
COPY controlplane/ controlplane/
COPY connectors/ connectors/
COPY tenants/ tenants/
COPY monitoring/ monitoring/
COPY governance/ governance/
COPY audit/ audit/

RUN mkdir -p /app/var && chown app:app /app/var
USER app

# The base settings need no secrets, so static files are collected at build time without any.
RUN DJANGO_SETTINGS_MODULE=controlplane.settings.base python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "controlplane.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
