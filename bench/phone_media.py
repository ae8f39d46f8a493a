"""Generated phone input for the tests and the benchmark: photos of text (Pillow) and voice notes (espeak-ng).

Photos are drawn with the DejaVu Sans font that matplotlib ships (it has every French accent; Pillow's
built-in font has none). Voice notes are spoken by espeak-ng and encoded by ffmpeg as OGG/Opus, 48 kHz
mono, the format of a Telegram voice note.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

FRENCH_LINES = (
    "Facture n° 4827 du 12/03/2026",
    "Électricité : 73,45 € à régler",
    "avant le 15 avril. Merci à vous !",
    "Réunion à l'école : prévoir 3 chaises.",
)
ENGLISH_LINES = (
    "Invoice 5931 dated 04/11/2026",
    "Plumbing repair: 218 dollars due",
    "before the 30th of November.",
    "Bring the blue folder to the office.",
)


def font_path() -> Path:
    """DejaVu Sans from matplotlib's data (installed with the dev extra)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def draw_text(
    lines: tuple[str, ...] | list[str], *, size: int = 34, scale: float = 1.0, noise: int = 0
) -> bytes:
    """A PNG of `lines` in black on white, like a photographed page (optionally speckled with noise)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path()), int(size * scale))
    width = int(1400 * scale)
    height = int((80 * len(lines) + 60) * scale)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((int(40 * scale), int((30 + i * 80) * scale)), line, fill="black", font=font)
    if noise:
        rng = random.Random(noise)
        pixels = image.load()
        for _ in range(width * height // 50):
            x, y = rng.randrange(width), rng.randrange(height)
            shade = rng.randrange(120, 256)
            pixels[x, y] = (shade, shade, shade)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def blank_photo(width: int = 1200, height: int = 900) -> bytes:
    """A JPEG with no text at all: a soft gradient, like a photo of a wall."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def can_speak() -> bool:
    """True when espeak-ng and ffmpeg are installed (Debian packages espeak-ng and ffmpeg)."""
    return shutil.which("espeak-ng") is not None and shutil.which("ffmpeg") is not None


def speak(text: str, voice: str = "en", *, speed: int = 130, markup: bool = False) -> bytes:
    """`text` spoken by espeak-ng in `voice` (en, fr, fr+f3…), as an OGG/Opus voice note (`markup`: SSML breaks)."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        ogg = Path(folder) / "voice.ogg"
        flags = ["-m"] if markup else []
        subprocess.run(["espeak-ng", *flags, "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True)
        _ffmpeg("-i", str(wav), "-c:a", "libopus", "-b:a", "32k", "-ar", "48000", "-ac", "1", str(ogg))
        return ogg.read_bytes()


def video_note(text: str, voice: str = "fr", *, speed: int = 130, sound: bool = True) -> bytes:
    """A round video note as Telegram sends it: MP4 (H.264 video, AAC sound of `text` spoken), 240×240."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        mp4 = Path(folder) / "note.mp4"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True)
        picture = ["-f", "lavfi", "-i", "testsrc=size=240x240:rate=15"]
        if sound:
            _ffmpeg(*picture, "-i", str(wav), "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "64k", str(mp4))  # fmt: skip
        else:
            _ffmpeg(*picture, "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(mp4))
        return mp4.read_bytes()


def silence(seconds: float) -> bytes:
    """An OGG/Opus file of `seconds` of silence (for the duration limit)."""
    with tempfile.TemporaryDirectory() as folder:
        ogg = Path(folder) / "silence.ogg"
        _ffmpeg(
            "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", str(seconds), "-c:a", "libopus", str(ogg)
        )
        return ogg.read_bytes()


def _ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly, overwriting its output."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


def scanned_pdf(pages: list[tuple[str, ...]], *, text_pages: dict[int, str] | None = None) -> bytes:
    """A PDF like a phone scanner app's: each page a picture of `pages[i]`, no text layer.

    `text_pages` maps a page number (from 0) to text written as a real text layer instead (a PDF
    mixing typed pages and scans).
    """
    from fpdf import FPDF

    pdf = FPDF()
    for number, lines in enumerate(pages):
        pdf.add_page()
        if text_pages and number in text_pages:
            pdf.set_font("Helvetica", size=12)
            pdf.multi_cell(0, 10, text_pages[number])
        else:
            pdf.image(io.BytesIO(draw_text(lines)), x=10, y=10, w=190)
    return bytes(pdf.output())
