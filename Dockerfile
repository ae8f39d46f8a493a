# Souvenir bot image. Run it beside an Ollama container: see compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    SOUVENIR_DATA_DIR=/data \
    SOUVENIR_OLLAMA__HOST=http://ollama:11434

# No system packages: every dependency ships a manylinux wheel, including Matrix end-to-end
# encryption (matrix-nio[e2e] uses vodozemac, not libolm).

WORKDIR /app
# The CPU build of torch first: an unpinned torch would pull several GB of CUDA packages.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY bot ./bot
RUN pip install ".[telegram,discord,matrix]"

RUN useradd --create-home --uid 10001 souvenir && mkdir -p /data && chown souvenir /data
USER souvenir
VOLUME ["/data"]

# Platforms are chosen by the SOUVENIR_*__TOKEN / SOUVENIR_MATRIX__* settings (an env file).
CMD ["souvenir", "run"]
