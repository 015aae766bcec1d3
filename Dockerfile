# Ops Assistant: one bot process. Build: docker build -t ops-assistant .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 ops && mkdir /data && chown ops /data

WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install .

USER ops
WORKDIR /data
# SQLite in the /data volume by default; set DATABASE_URL=postgresql://… to use PostgreSQL.
ENV DATABASE_URL=sqlite:////data/ops-assistant.db \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"

ENTRYPOINT ["ops-assistant"]
CMD ["run"]
