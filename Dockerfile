# The application image: web (gunicorn + whitenoise), Celery worker and beat all run it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz's subsetter; Chinese PDFs need a CJK font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei fontconfig \
    && rm -rf /var/lib/apt/lists/* \
    && fc-cache -f

WORKDIR /app

# The locked versions, the same as CI and a developer's machine.
COPY requirements/prod.lock requirements/build-constraints.txt requirements/
RUN pip install uv \
    && uv pip sync --system --build-constraint requirements/build-constraints.txt \
        requirements/prod.lock \
    && pip uninstall -y uv

COPY . .

# Build-time only: the settings read DATABASE_URL but these commands never connect.
RUN DATABASE_URL=postgresql://build@localhost:5432/build SECRET_KEY=build-only \
        python manage.py compile_translations \
    && DATABASE_URL=postgresql://build@localhost:5432/build SECRET_KEY=build-only \
        python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tracker \
    && mkdir -p /app/var/media \
    && chown -R tracker:tracker /app/var
USER tracker

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
