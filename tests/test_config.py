"""Settings from the environment: defaults, parsing, and fail-fast errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2kg.config import DEFAULT_MAX_BODY, Settings
from e2kg.errors import ConfigError


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_environment({"E2KG_SOURCE_DIR": str(tmp_path)})
    assert settings.store == str(tmp_path / "var" / "store")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.base_iri == "https://w3id.org/e2kg/"
    assert settings.query_timeout == 30.0
    assert settings.max_body == DEFAULT_MAX_BODY == 5 * 1024 * 1024
    assert settings.update_token is None and settings.update_url is None
    assert settings.store_is_embedded


def test_values_are_parsed() -> None:
    settings = Settings.from_environment(
        {
            "E2KG_STORE": "http://127.0.0.1:7878/query",
            "E2KG_UPDATE_URL": "http://127.0.0.1:7878/update",
            "E2KG_PORT": "8123",
            "E2KG_QUERY_TIMEOUT": "2.5",
            "E2KG_MAX_BODY": "512k",
            "E2KG_UPDATE_TOKEN": "secret",
        }
    )
    assert settings.store == "http://127.0.0.1:7878/query"
    assert not settings.store_is_embedded
    assert (settings.port, settings.query_timeout, settings.max_body) == (8123, 2.5, 512 * 1024)
    assert settings.update_token == "secret"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("E2KG_PORT", "eighty"),
        ("E2KG_PORT", "70000"),
        ("E2KG_QUERY_TIMEOUT", "-1"),
        ("E2KG_MAX_BODY", "lots"),
        ("E2KG_BASE_IRI", "w3id.org/e2kg"),
        ("E2KG_UPDATE_URL", "ftp://example.org/update"),
    ],
)
def test_bad_values_fail_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_environment({variable: value})
