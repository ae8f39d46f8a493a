"""The `souvenir` command as scripts and users run it: subcommands and the piped console."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(180)


def test_ingest_directories_search_remember_forget_status(workdir, capsys):
    docs = workdir / "docs" / "nested"
    docs.mkdir(parents=True)
    (docs / "garden.md").write_text(
        "The tomatoes are planted along the south wall. Water them every evening."
    )
    (workdir / "docs" / "qa.csv").write_text(
        "question,answer,importance\nWhere is the ladder?,In the shed.,0.9\n"
    )
    (workdir / "docs" / "ignored.bin").write_bytes(b"\x00\x01")
    (workdir / "broken.pdf").write_bytes(b"%PDF-1.4 nope")

    assert main(["ingest", str(workdir / "docs"), str(workdir / "broken.pdf")]) == 1
    out = capsys.readouterr().out
    assert "✅" in out and "garden.md: 1 memory," in out and "qa.csv: 1 memory," in out
    assert "❌" in out and "broken.pdf" in out
    assert "ignored.bin: unsupported file type" in out, "a skipped file is reported, not silently dropped"

    assert main(["search", "where do I find the ladder", "--json", "--limit", "5"]) == 0
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rows[0]["kind"] == "conversation" and "shed" in rows[0]["text"]
    assert {"number", "row_id", "score", "kind", "importance", "source"} <= rows[0].keys()
    assert rows[0]["importance"] == 0.9 and rows[0]["source"] == "qa.csv"

    assert main(["ingest", str(docs / "garden.md")]) == 0
    assert "already known" in capsys.readouterr().out

    assert main(["remember", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2
    assert main(["forget", str(rows[0]["number"])]) == 0
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert "Memories: 1" in status and "Documents: 1" in status and "not answering" in status


def test_scopes_are_separate_on_the_command_line(workdir, capsys):
    (workdir / "a.txt").write_text("The group barbecue is on Saturday.")
    assert main(["ingest", str(workdir / "a.txt"), "--scope", "discord:guild:7"]) == 0
    capsys.readouterr()
    assert main(["search", "barbecue", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["search", "barbecue", "--json", "--scope", "discord:guild:7"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    with pytest.raises(SystemExit):
        main(["search", "x", "--scope", "not a scope"])


def test_piped_console_speaks_the_guide_words(workdir):
    (workdir / "notes.txt").write_text("The boat is moored at pontoon C. The engine oil was changed in May.")
    script = "\n".join(
        [
            "help",
            "teach My bike lock code is 0451.",
            "ingest notes.txt",
            "correct The engine oil was changed in May | The engine oil was changed in June.",
            "remember",
            "talk where is the boat moored?",
            "why",
            "forget 1",
            "status",
            "quit",
        ]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=script,
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=120,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "teach TEXT" in out
    assert "✅ Remembered as #1." in out
    assert "✅ notes.txt: 1 memory," in out
    assert "Correction stored as #3" in out and "#2" in out
    assert "pontoon C" in out and "not reachable" in out
    assert "My last answer used these memories" in out
    assert "Forgot #1" in out
    assert "Memories: 2" in out
    assert "Traceback" not in result.stderr


def test_an_invalid_setting_is_one_line_naming_it_without_its_value(workdir, monkeypatch, capsys):
    monkeypatch.setenv("SOUVENIR_LOG_LEVEL", "loud")
    monkeypatch.setenv("SOUVENIR_LIMITS__MAX_UPLOAD_BYTES", "hunter2-secret")
    assert main(["status"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(" (")[0] for line in err] == [
        "souvenir: SOUVENIR_LOG_LEVEL",
        "souvenir: SOUVENIR_LIMITS__MAX_UPLOAD_BYTES",
    ]
    assert "hunter2" not in "\n".join(err) and "Traceback" not in "\n".join(err)


def test_ingest_reads_the_scanned_pages_of_a_pdf(workdir, capsys):
    from bench.phone_media import scanned_pdf

    pages = [("Chaudière révisée le 12 mars", "par Marc, le plombier.")]
    (workdir / "scan.pdf").write_bytes(scanned_pdf(pages))
    assert main(["ingest", str(workdir / "scan.pdf")]) == 0
    assert "scan.pdf: 1 memory," in capsys.readouterr().out
    assert main(["search", "plombier"]) == 0
    assert "Marc" in capsys.readouterr().out
