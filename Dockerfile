# Rekam, one image for every role: `rekam run` (receives updates and sends),
# `rekam run --dispatch-only` (an extra sender), `rekam emulator`, `rekam demo`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY messages ./messages
COPY migrations ./migrations
RUN pip install . && useradd --create-home rekam

USER rekam
ENTRYPOINT ["rekam"]
CMD ["run"]
