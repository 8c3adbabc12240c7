# Boost Data Collector: one image for the web server, the Celery worker and Beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir uv

WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected at build time and served by WhiteNoise. The values
# below exist only for this step; real ones come from the environment at run time.
RUN DEBUG=False SECRET_KEY=collectstatic-only-not-a-secret-but-long-enough-for-the-check \
    DATABASE_URL=postgres://build@localhost/build \
    STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --no-input

RUN useradd --create-home --uid 10001 collector \
    && mkdir -p /app/var /var/lib/celerybeat \
    && chown -R collector /app/var /var/lib/celerybeat
USER collector

ENV STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
