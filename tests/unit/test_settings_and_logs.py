"""Settings come from SOUVENIR_ variables and .env; secrets never reach a log line."""

import logging
from pathlib import Path

from bot.logging_setup import SecretRedactor, secret_values
from bot.settings import Settings


def test_environment_prefix_nesting_and_lists(monkeypatch, tmp_path):
    monkeypatch.setenv("SOUVENIR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOUVENIR_OLLAMA__MODEL", "mistral")
    monkeypatch.setenv("SOUVENIR_ALLOWED_USERS", "telegram:42, discord:7")
    monkeypatch.setenv("SOUVENIR_LIMITS__MAX_UPLOAD_BYTES", "1000")
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path
    assert settings.ollama.model == "mistral"
    assert settings.allowed_users == ["telegram:42", "discord:7"]
    assert settings.limits.max_upload_bytes == 1000


def test_dotenv_file_is_read(tmp_path):
    env = tmp_path / ".env"
    env.write_text("SOUVENIR_LANGUAGE=fr\nSOUVENIR_TELEGRAM__TOKEN=123:SECRET\n")
    settings = Settings(_env_file=env)
    assert settings.language == "fr"
    assert settings.telegram.token.get_secret_value() == "123:SECRET"
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


def test_every_env_example_key_is_a_setting():
    keys = [
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in Path(".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and line.lstrip("# ").startswith("SOUVENIR_")
    ]
    assert len(keys) >= 15
    fields = Settings.model_fields
    for key in keys:
        path = key.removeprefix("SOUVENIR_").lower().split("__")
        assert path[0] in fields, key
        if len(path) == 2:
            assert path[1] in fields[path[0]].annotation.model_fields, key


def test_redactor_masks_tokens_in_messages_urls_and_tracebacks(capsys):
    settings = Settings(_env_file=None, telegram={"token": "987:TOPSECRET"}, matrix={"password": "hunter22"})
    redactor = SecretRedactor(secret_values(settings))
    logger = logging.getLogger("test.redaction")
    handler = logging.StreamHandler()
    handler.addFilter(redactor)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot987:TOPSECRET/getMe with %s", "hunter22")
        try:
            raise RuntimeError("login failed for password hunter22")
        except RuntimeError:
            logger.exception("boom")
        logger.warning("other bot https://api.telegram.org/bot555:OTHERTOKEN/getUpdates")
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "TOPSECRET" not in err and "hunter22" not in err and "OTHERTOKEN" not in err
    assert "***" in err and "getMe" in err
