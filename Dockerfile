# syntax=docker/dockerfile:1.7
# One image recipe for every deployable; build from the repository root, naming the service:
#   docker build --build-arg SERVICE=identity  --build-arg ENV_PREFIX=IDENTITY -t fitness-identity .
#   docker build --build-arg SERVICE=nutrition --build-arg ENV_PREFIX=NUTRITION -t fitness-nutrition .
#   docker build --build-arg SERVICE=gateway   --build-arg ENV_PREFIX=GATEWAY \
#                --build-arg SERVICE_DIR=gateway -t fitness-gateway .
# SERVICE = import package (and `fitness-<SERVICE>` workspace member); SERVICE_DIR = its folder
# (services/<SERVICE> unless given). One image, several processes (override the command):
#   API (default)  uvicorn <SERVICE>.main:create_app --factory ...
#   outbox relay   python -m <SERVICE>.relay
#   worker         python -m <SERVICE>.worker / identity.consumer
#   migrations     python -m alembic -c services/<SERVICE>/alembic.ini -x schema=<SERVICE> -x url=... upgrade head
# The gateway runs the API only and has no migrations.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# ---------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
ARG SERVICE_DIR=services/${SERVICE}
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

# Third-party dependencies only: this layer is reused until uv.lock or a manifest changes.
# --frozen trusts uv.lock as committed (CI's `uv sync --frozen` keeps it honest).
COPY pyproject.toml uv.lock ./
COPY libs/platform/pyproject.toml libs/platform/
COPY libs/contracts/pyproject.toml libs/contracts/
COPY ${SERVICE_DIR}/pyproject.toml ${SERVICE_DIR}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package fitness-${SERVICE}

# Our code: the workspace members this service is made of, installed as wheels
# (--no-editable) so the runtime stage needs the venv only, not the source tree.
COPY libs/platform/src libs/platform/src
COPY libs/contracts/src libs/contracts/src
COPY ${SERVICE_DIR} ${SERVICE_DIR}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package fitness-${SERVICE}
# What the runtime needs from the member folder besides the venv: alembic.ini and migrations/
# when the service has a database (the gateway has neither; its folder ends up empty).
RUN rm -rf ${SERVICE_DIR}/src ${SERVICE_DIR}/pyproject.toml ${SERVICE_DIR}/README.md

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ARG SERVICE_DIR=services/${SERVICE}
ARG ENV_PREFIX
# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app
# Owned by root and not writable by `app`: the process can't alter its own code, and the
# container runs with a read-only root filesystem (only /tmp and mounted volumes are writable).
COPY --from=builder /app/.venv /app/.venv
WORKDIR /app
COPY --from=builder /src/${SERVICE_DIR} ${SERVICE_DIR}
# dev/compose only: a volume mounted here inherits this owner, so identity can keep its generated
# signing key across restarts. Clusters pass keys in IDENTITY_SIGNING_KEYS (a Secret) instead.
RUN mkdir -p /var/lib/${SERVICE}/keys \
    && chown 10001:10001 /var/lib/${SERVICE}/keys \
    && chmod 700 /var/lib/${SERVICE}/keys

# UVICORN_APP: uvicorn's APP argument, so the CMD below stays in exec form for every service.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    ${ENV_PREFIX}_STATE_DIR=/tmp/state \
    UVICORN_APP=${SERVICE}.main:create_app \
    HEALTHCHECK_URL=http://127.0.0.1:8000/health/live

USER 10001:10001
EXPOSE 8000
# No curl in -slim: ask Python. Relay/worker containers set HEALTHCHECK_URL or disable the check.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=2)"]
# X-Forwarded-* are trusted only from FORWARDED_ALLOW_IPS (uvicorn's default: loopback); the
# deployment sets it to the proxy in front. Other uvicorn flags can be set as UVICORN_<FLAG>.
CMD ["uvicorn", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--loop", "uvloop", "--http", "httptools", "--no-server-header", \
     "--timeout-graceful-shutdown", "20"]
