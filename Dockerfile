# The shop's processes (API, bot, notifier) for docker-compose.yml; MongoDB runs beside them.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir uv && useradd --create-home --uid 10001 shop
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY core ./core
COPY runtime ./runtime
COPY admin_api ./admin_api
COPY bot ./bot
ENV PATH=/opt/venv/bin:$PATH
USER shop
CMD ["python", "-m", "admin_api"]
