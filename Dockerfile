# sellerbot: `docker build -t sellerbot .` then
# `docker run -e SELLERBOT_TELEGRAM_TOKEN=... -v sellerbot-data:/data sellerbot`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SELLERBOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY conversations ./conversations
COPY locales ./locales
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app sellerbot \
    && mkdir -p /data \
    && chown sellerbot /data

USER sellerbot
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["sellerbot", "health"]

CMD ["sellerbot", "run"]
