"""A wrong setting stops start-up with one line that names the variable."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from bot.config import SettingsError, load_settings
from bot.paths import migrations_dir


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("DATABASE_URL", "mysql://office/db", "DATABASE_URL"),
        ("OFFICE_TIMEZONE", "Asia/Jakartaa", "OFFICE_TIMEZONE"),
        ("OFFICE_TIMEZONE", "Europe/Berlin", "OFFICE_TIMEZONE"),
        ("ELECTION_DATE", "2029-02-30", "ELECTION_DATE"),
        ("OFFICE_REGION_CODES", "35,ABC", "OFFICE_REGION_CODES"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN"),
        ("DEFAULT_LANGUAGE", "fr", "DEFAULT_LANGUAGE"),
        ("DUTY_STAFF", "123,@petugas", "DUTY_STAFF"),
        ("WEBHOOK_SECRET", "rahasia kantor", "WEBHOOK_SECRET"),
        ("WEBHOOK_SECRET", "rahasia/kantor", "WEBHOOK_SECRET"),
        ("WEBHOOK_SECRET", "rahasia\u202ekantor", "WEBHOOK_SECRET"),
        ("WEBHOOK_SECRET", "x" * 257, "WEBHOOK_SECRET"),
        ("BOT_TOKEN", "١٢٣٤٥:AAE-secret-token-abcdefghijklmnopqrstu", "BOT_TOKEN"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{named}: ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("secret", ["a", "Rahasia_Kantor-2026", "z" * 256])
def test_a_webhook_secret_telegram_takes_is_kept(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    found = load_settings().webhook_secret
    assert found is not None and found.get_secret_value() == secret


def test_a_blank_webhook_secret_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an empty line in .env: `rekam run --webhook` then says it is needed."""
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    assert load_settings().webhook_secret is None


def test_good_values_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICE_TIMEZONE", "Asia/Makassar")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3572, 3573")
    monkeypatch.setenv("ELECTION_DATE", "2029-02-14")
    monkeypatch.setenv("DUTY_STAFF", "1001, 1002")
    settings = load_settings()
    assert settings.duty_staff == (1001, 1002)
    assert settings.zone_abbreviation == "WITA"
    assert settings.office_region_codes == ("3572", "3573")
    assert settings.election_date == date(2029, 2, 14)


def _rekam(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_cli_reports_a_bad_setting_in_one_line(tmp_path: pytest.TempPathFactory) -> None:
    env = {"PATH": "/usr/bin:/bin", "OFFICE_TIMEZONE": "Mars/Olympus"}
    result = _rekam("db", "upgrade", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Pengaturan salah: OFFICE_TIMEZONE: zona waktu “Mars/Olympus” tidak dikenal "
        "(misalnya Asia/Jakarta)"
    ]
    assert "Traceback" not in result.stderr


def test_a_webhook_secret_telegram_would_refuse_stops_start_up_in_one_line() -> None:
    """Telegram takes 1-256 characters of A-Z a-z 0-9 _ -; anything else failed only when the
    webhook was set, with Telegram's English words."""
    env = {"PATH": "/usr/bin:/bin", "WEBHOOK_SECRET": "rahasia kantor!"}
    result = _rekam("db", "upgrade", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Pengaturan salah: WEBHOOK_SECRET: harus 1–256 karakter, hanya huruf A-Z a-z, angka "
        "0-9, _ dan - (aturan Telegram)"
    ]
    assert "rahasia kantor" not in result.stderr  # the secret is not repeated


def test_the_office_reads_setting_errors_in_its_language(tmp_path: pytest.TempPathFactory) -> None:
    env = {"PATH": "/usr/bin:/bin", "DEFAULT_LANGUAGE": "en", "ELECTION_DATE": "14-02-2029"}
    result = _rekam("db", "upgrade", env=env)
    assert result.stderr.strip() == (
        "Wrong setting: ELECTION_DATE: "
        "is not a valid date; write YYYY-MM-DD, for example 2029-02-14"
    )


def test_run_without_a_token_points_to_the_demo(tmp_path: pytest.TempPathFactory) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/o.db"}
    result = _rekam("run", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "BOT_TOKEN belum diisi. Untuk mencoba tanpa token: rekam demo"


def test_db_upgrade_creates_the_office_database(tmp_path: pytest.TempPathFactory) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/o.db",
        "DEFAULT_LANGUAGE": "en",
    }
    result = _rekam("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    # It says what it created: the file, and the schema's revision (not "up to date").
    newest = max(p.name[:4] for p in (migrations_dir() / "versions").glob("[0-9]*.py"))
    assert str(tmp_path / "o.db") in result.stdout and newest in result.stdout
    assert (tmp_path / "o.db").exists()  # type: ignore[operator]
    again = _rekam("db", "upgrade", env={**env, "DEFAULT_LANGUAGE": "id"})
    assert again.stdout.strip() == (
        f"Basis data {tmp_path / 'o.db'} sudah versi terbaru ({newest})."
    )


def test_help_lists_the_commands() -> None:
    result = _rekam("--help", env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0
    for command in ("demo", "run", "db", "emulator"):
        assert command in result.stdout


def test_webhook_listen_and_port_are_older_names_of_the_public_listener_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEBHOOK_LISTEN", "0.0.0.0")
    monkeypatch.setenv("WEBHOOK_PORT", "8443")
    settings = load_settings()
    assert (settings.public_listen, settings.public_port) == ("0.0.0.0", 8443)
    monkeypatch.setenv("PUBLIC_PORT", "8090")  # the newer name wins
    assert load_settings().public_port == 8090


@pytest.mark.parametrize("variable", ["PUBLIC_PORT", "WEBHOOK_PORT"])
def test_a_wrong_port_is_named_as_the_office_wrote_it(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "delapan")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{variable}: ")
