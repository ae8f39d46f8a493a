"""Matrix settings (SOUVENIR_MATRIX__*), owned by the Matrix adapter; no SDK import here."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class MatrixSettings(BaseModel):
    """Matrix bot (matrix-nio)."""

    homeserver: str | None = None
    user_id: str | None = None
    password: SecretStr | None = None
    access_token: SecretStr | None = None
    device_name: str = "Souvenir"
    edit_interval: float = 3.0
    encryption: bool = True
