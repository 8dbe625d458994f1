# syntax=docker/dockerfile:1
# One image recipe for every service, named by the SERVICE build argument (registry, monitoring, care, duty, web).
# Built from the repository root (docker compose does this): the lock file and the shared library live there.
# BASE_IMAGE: any Debian-based image with Python 3.11 and pip on PATH (an operator's own, or one built without a
# registry, as ./deploy/dev compose-smoke does); both stages use it, so the venv's interpreter is the same.
ARG BASE_IMAGE=python:3.11.14-slim-bookworm

FROM ${BASE_IMAGE} AS build
ARG SERVICE
RUN pip install --no-cache-dir uv==0.13.8
# Use the image's interpreter, never a downloaded one, so the venv runs unchanged in the final stage.
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app
# uv resolves the workspace from every member's pyproject.toml, even for members it does not install.
COPY pyproject.toml uv.lock ./
COPY libs/gridline/pyproject.toml libs/gridline/
COPY services/registry/pyproject.toml services/registry/
COPY services/monitoring/pyproject.toml services/monitoring/
COPY services/care/pyproject.toml services/care/
COPY services/duty/pyproject.toml services/duty/
COPY services/web/pyproject.toml services/web/
# Third-party dependencies first: this layer survives source-only changes.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --no-install-workspace --package gridline-${SERVICE}
COPY libs/gridline/src libs/gridline/src
COPY services/${SERVICE}/src services/${SERVICE}/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package gridline-${SERVICE}

FROM ${BASE_IMAGE}
ARG SERVICE
RUN groupadd --system --gid 10001 gridline \
    && useradd --system --uid 10001 --gid gridline --no-create-home --shell /usr/sbin/nologin gridline
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY deploy/topics.yaml deploy/topics.yaml
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000 GRIDLINE_SERVICE=${SERVICE}
USER 10001:10001
EXPOSE 8000
# slim has no curl; the venv's python does the probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
# exec: the service is PID 1 and receives the stop signal itself.
CMD ["/bin/sh", "-c", "exec /app/.venv/bin/python -m \"$GRIDLINE_SERVICE\""]
