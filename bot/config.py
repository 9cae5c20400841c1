"""Settings read once from the environment (and an optional .env file).

It is kept in one module on purpose: `Settings` is the one list of every variable an office sets,
with the checks that name a wrong one at start-up; split, an office would read two lists."""

from __future__ import annotations

import os
import re
import string
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.db.vault import BadDataKeyError, Vault
from bot.domain import quiet_hours
from bot.i18n import N_, ZONE_ABBREVIATIONS, Gettext

Language = Literal["id", "en", "jv"]
_DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
_LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")
_TOKEN = re.compile(r"[0-9]{5,16}:[A-Za-z0-9_-]{30,64}")
# What Telegram's setWebhook takes as secret_token (and sends back in every update's header).
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingProblem(ValueError):
    """What is wrong with one value: a catalog message and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


class SettingsError(ValueError):
    """A setting has a value the office must correct; the message names the variable."""

    def __init__(self, variable: str, message: str, **params: object) -> None:
        super().__init__(f"{variable}: {message.format(**params)}")
        self.variable = variable
        self.message = message
        self.params = params

    def describe(self, _: Gettext) -> str:
        """'OFFICE_TIMEZONE: ...' in the reader's language."""
        return f"{self.variable}: {_(self.message).format(**self.params)}"


# Pydantic's own checks, worded for an office that reads Indonesian first.
_PYDANTIC_PROBLEMS = {
    "date": N_("bukan tanggal yang benar; tulis TTTT-BB-HH, misalnya 2029-02-14"),
    "url": N_("bukan alamat URL yang benar"),
    "int": N_("bukan bilangan bulat yang benar"),
    "greater": N_("di luar rentang yang diizinkan"),
    "less": N_("di luar rentang yang diizinkan"),
}


# Older names a setting is still read under (the newer name wins when both are set).
_OLDER_NAMES = {"PUBLIC_LISTEN": "WEBHOOK_LISTEN", "PUBLIC_PORT": "WEBHOOK_PORT"}


def _as_written(variable: str, overrides: dict[str, object]) -> str:
    """The name the office used for a wrong value: the older one when only that one is in the
    environment (a .env file is not read for this: there the newer name is given)."""
    older = _OLDER_NAMES.get(variable)
    if older is None:
        return variable
    written = {name.upper() for name in (*os.environ, *overrides)}
    return older if older in written and variable not in written else variable


class MissingTokenError(ValueError):
    """`rekam run` without BOT_TOKEN."""


class Settings(BaseSettings):
    """Everything an office configures; frozen once read."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, populate_by_name=True
    )

    database_url: str = "sqlite+aiosqlite:///rekam.db"
    bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    # The bot's @username, for invitation links printed without asking Telegram.
    bot_username: str | None = None
    # Telegram's webhook (`rekam run --webhook`), served by the public listener below at
    # PUBLIC_BASE_URL + /telegram; WEBHOOK_URL is the older name, a full address taken as it is
    # and only without PUBLIC_BASE_URL (bot/inbound/telegram.py).
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    # The office dashboard (bot/web): served by `rekam run` (unless WEB_ENABLED is false) and
    # by `rekam web`; WEB_BASE_URL is the address staff open (the /dasbor link starts with it).
    web_enabled: bool = True
    web_listen: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_base_url: AnyHttpUrl | None = None
    # A dashboard session ends after this many minutes without a page opened.
    web_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    office_name: str = "Dinas Kependudukan dan Pencatatan Sipil"
    # The printed letter (`rekam letters`, a surat dinas): its letterhead (kop surat), the
    # place it is dated at, and who signs it. Empty ones are left out of the letter (a blank
    # signer leaves a dotted line to write on).
    office_government: str = ""
    office_city: str = ""
    office_address: str = ""
    office_phone: str = ""
    office_logo: Path | None = None
    office_head_name: str = ""
    office_head_rank: str = ""
    office_head_nip: str = ""
    # The letter number; {n} is the letter's running number (bot/services/letters.py).
    letter_number: str = "470/{n}"
    office_timezone: str = "Asia/Jakarta"
    office_region_codes: Annotated[tuple[str, ...], NoDecode] = ()
    election_date: date = date(2029, 2, 14)
    # Who belongs on the target list (SPEC section 1): "17", everyone 17 by election day; or
    # "16", everyone 16 and over on the day the list is imported. Other rows are reported.
    target_min_age: str = "17"
    default_language: Language = "id"
    # Everything the bot sends, replies and outbox alike: messages per second overall
    # (Telegram allows about 30), and the paid broadcast switch: the outbox then goes up to
    # `dispatch_paid_rate` (Telegram's ceiling is 1000/s, charged in Stars by Telegram).
    dispatch_rate: float = Field(default=30.0, gt=0, le=1000)
    dispatch_paid_broadcast: bool = False
    dispatch_paid_rate: float = Field(default=1000.0, gt=0, le=1000)
    # Replies that may go into one chat at once before they are paced at one a second
    # (Telegram lets a short burst into a private chat; past it, a 429 pauses everyone).
    dispatch_reply_burst: int = Field(default=3, ge=1, le=100)
    # How long a claimed row is held before another process may send it again (after a crash).
    dispatch_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    reminders: Annotated[tuple[str, ...], NoDecode] = ("h3", "h1", "morning")
    # Status words of the office's recording list (`rekam import recorded`) that mean the
    # person is recorded (PRR: printed-ready record); any other status is skipped.
    recorded_statuses: Annotated[tuple[str, ...], NoDecode] = (
        "sudah rekam",
        "terekam",
        "rekam",
        "prr",
        "sudah cetak",
        "cetak",
    )
    # The key NIKs are hashed and sealed with (bot/db/vault.py): 32 bytes, URL-safe base64,
    # from `rekam keygen`. Every command that reads or writes a NIK refuses to start without it.
    data_key: SecretStr | None = None
    # Personal data is deleted this many days after election day (`rekam purge`).
    retention_days: int = Field(default=90, ge=0, le=3650)
    # Telegram ids of the staff on duty: they alone hear of home-visit requests (every staff
    # member does while it is empty).
    duty_staff: Annotated[tuple[int, ...], NoDecode] = ()
    # Beside Telegram (issue 24): WhatsApp's Cloud API and SMS Gateway for Android (`phones`).
    # A message goes down CHANNEL_LADDER until one reaches the person.
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_phone_id: str = ""
    whatsapp_waba_id: str = ""
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_tier: int = Field(default=250, ge=1)  # new people a day Meta lets the number reach
    # What a message costs the office, in rupiah: a WhatsApp utility template, one SMS (a part
    # of a longer one). Unset: the broadcast preview counts messages without a price.
    whatsapp_cost: int | None = Field(default=None, ge=0)
    sms_cost: int | None = Field(default=None, ge=0)
    sms_gateway_url: str = ""
    sms_gateway_login: str = ""
    sms_gateway_password: SecretStr | None = None
    sms_webhook_key: SecretStr | None = None
    sms_rate: float = Field(default=20.0, gt=0, le=600)  # messages a minute from the phone
    # SMS the SIM may send in one office day (its plan's cap, or a guard against a runaway);
    # unset: no limit. Past it, SMS wait for the next day and staff on duty are told once.
    sms_daily_limit: int | None = Field(default=None, ge=1)
    channel_ladder: Annotated[tuple[str, ...], NoDecode] = ("telegram", "whatsapp", "sms")
    ladder_wait_hours: float = Field(default=24.0, gt=0, le=24 * 14)
    # Office hours in which only urgent messages go (a same-day change, an answer): "21-06"
    # holds the rest from 21.00 to 06.00; empty sends at any hour.
    quiet_hours: Annotated[tuple[int, int] | None, NoDecode] = (21, 6)
    # The public listener: WhatsApp's, the SMS gateway's and Telegram's webhooks (/whatsapp,
    # /sms, /telegram), apart from the dashboard; PUBLIC_BASE_URL is where the outside world
    # reaches it (a reverse proxy's https address), registered with the SMS gateway and
    # Telegram at start. WEBHOOK_LISTEN and WEBHOOK_PORT are older names for the first two
    # (_OLDER_NAMES); the newer one wins when both are set.
    public_listen: str = Field(
        default="127.0.0.1", validation_alias=AliasChoices("public_listen", "webhook_listen")
    )
    public_port: int = Field(
        default=8090,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("public_port", "webhook_port"),
    )
    public_base_url: AnyHttpUrl | None = None

    @property
    def phones(self) -> tuple[str, ...]:
        """The rungs beyond Telegram that are on (WhatsApp: a token and a phone id; SMS: a
        gateway), in the ladder's order."""
        on = {
            "whatsapp": bool(self.whatsapp_token and self.whatsapp_phone_id),
            "sms": bool(self.sms_gateway_url),
        }
        return tuple(rung for rung in self.channel_ladder if on.get(rung))

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> object:
        try:
            return quiet_hours.parse(value) if isinstance(value, str) else value
        except ValueError:
            raise SettingProblem(
                N_("tulis dua jam 0–23, seperti 21-06 (kosong: tanpa jam tenang)")
            ) from None

    @field_validator("channel_ladder", mode="before")
    @classmethod
    def _ladder(cls, value: object) -> tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        rungs = tuple(str(part).strip().casefold() for part in parts if str(part).strip())
        if unknown := [rung for rung in rungs if rung not in ("telegram", "whatsapp", "sms")]:
            message = N_("“{name}” bukan saluran yang dikenal; pilih dari: telegram, whatsapp, sms")
            raise SettingProblem(message, name=unknown[0])
        return tuple(dict.fromkeys(rungs))

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if "://" not in value or scheme not in _DATABASE_SCHEMES:
            raise SettingProblem(
                N_("harus berawalan {schemes}"),
                schemes=" / ".join(f"{s}://" for s in _DATABASE_SCHEMES),
            )
        return value

    @field_validator("office_logo", mode="before")
    @classmethod
    def _office_logo(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        path = Path(str(value)).expanduser()
        if path.suffix.casefold() not in _LOGO_SUFFIXES:
            raise SettingProblem(N_("logo harus berkas PNG atau JPG: {path}"), path=path)
        if not path.is_file():
            raise SettingProblem(N_("berkas logo tidak ada: {path}"), path=path)
        return path

    @field_validator("office_head_nip")
    @classmethod
    def _office_head_nip(cls, value: str) -> str:
        digits = "".join(value.split())
        if digits and (not digits.isdigit() or len(digits) != 18):
            raise SettingProblem(N_("NIP harus 18 angka, misalnya 19700512 200003 1 004"))
        return digits

    @field_validator("letter_number")
    @classmethod
    def _letter_number(cls, value: str) -> str:
        try:
            fields = [
                field for _, field, _, _ in string.Formatter().parse(value) if field is not None
            ]
            value.format(n=1)
        except (ValueError, KeyError, IndexError, AttributeError):
            fields = []
        if fields != ["n"]:
            raise SettingProblem(
                N_(
                    "harus memuat {{n}} sekali untuk nomor urut surat, misalnya 470/{{n}}/410.207/2026"
                )
            )
        return value

    @field_validator("target_min_age")
    @classmethod
    def _target_min_age(cls, value: str) -> str:
        if value.strip() not in ("16", "17"):
            raise SettingProblem(
                N_(
                    "harus 17 (berusia 17 tahun pada hari pemilihan) atau 16 (berusia 16 tahun "
                    "ke atas pada hari impor)"
                )
            )
        return value.strip()

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.fullmatch(value.get_secret_value()):
            raise SettingProblem(
                N_("bukan token bot Telegram (angka, titik dua, lalu 30+ karakter)")
            )
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        # Blank is unset (`--webhook` then says it is needed); anything else must be a secret
        # Telegram takes, or the webhook would fail at start-up with Telegram's own words.
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        if not isinstance(text, str) or not _WEBHOOK_SECRET.fullmatch(text):
            raise SettingProblem(
                N_(
                    "harus 1–256 karakter, hanya huruf A-Z a-z, angka 0-9, _ dan - (aturan Telegram)"
                )
            )
        return text

    @field_validator("data_key")
    @classmethod
    def _data_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Vault(value.get_secret_value())
            except BadDataKeyError:
                raise SettingProblem(
                    N_(
                        "bukan kunci yang benar: salin persis kunci yang dicetak rekam keygen "
                        "(44 huruf, angka, tanda - dan _); kunci baru: rekam keygen"
                    )
                ) from None
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise SettingProblem(N_("harus URL http(s), misalnya https://api.telegram.org/bot"))
        return value

    @field_validator("office_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingProblem(
                N_("zona waktu “{value}” tidak dikenal (misalnya Asia/Jakarta)"), value=value
            ) from None
        if value not in ZONE_ABBREVIATIONS:
            raise SettingProblem(
                N_("“{value}” bukan zona waktu Indonesia: {zones}"),
                value=value,
                zones=", ".join(ZONE_ABBREVIATIONS),
            )
        return value

    @field_validator("office_region_codes", mode="before")
    @classmethod
    def _region_codes(cls, value: object) -> tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        codes = tuple(str(part).strip() for part in parts if str(part).strip())
        for code in codes:
            if not code.isdigit() or len(code) not in (2, 4, 6):
                raise SettingProblem(N_("“{code}” bukan kode wilayah 2, 4 atau 6 angka"), code=code)
        return codes

    @field_validator("recorded_statuses", mode="before")
    @classmethod
    def _recorded_statuses(cls, value: object) -> tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        return tuple(" ".join(str(p).split()).casefold() for p in parts if str(p).strip())

    @field_validator("duty_staff", mode="before")
    @classmethod
    def _duty_staff(cls, value: object) -> tuple[int, ...]:
        parts = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        ids = tuple(str(part).strip() for part in parts if str(part).strip())
        for telegram_id in ids:
            if not telegram_id.isdigit() or len(telegram_id) > 15:
                raise SettingProblem(N_("“{id}” bukan ID Telegram (angka)"), id=telegram_id)
        return tuple(int(telegram_id) for telegram_id in ids)

    @field_validator("reminders", mode="before")
    @classmethod
    def _reminders(cls, value: object) -> tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        chosen = tuple(str(part).strip() for part in parts if str(part).strip())
        for name in chosen:
            if name not in ("h3", "h1", "morning"):
                raise SettingProblem(
                    N_(
                        "“{name}” bukan pengingat yang dikenal; pilih dari: h3 (3 hari "
                        "sebelumnya), h1 (sehari sebelumnya), morning (pagi di hari jadwal)"
                    ),
                    name=name,
                )
        return chosen

    @property
    def dashboard_url(self) -> str:
        """The dashboard's address as staff open it, without a trailing slash."""
        if self.web_base_url is not None:
            return str(self.web_base_url).rstrip("/")
        return f"http://{self.web_listen}:{self.web_port}"

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.office_timezone)

    @property
    def zone_abbreviation(self) -> str:
        """WIB, WITA or WIT."""
        return ZONE_ABBREVIATIONS[self.office_timezone]


def require_data_key(settings: Settings) -> str:
    """DATA_KEY, for a command that reads or writes NIKs; SettingsError when it is not set."""
    if settings.data_key is None:
        raise SettingsError(
            "DATA_KEY", N_("wajib diisi untuk perintah ini; buat dengan: rekam keygen")
        )
    return settings.data_key.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises SettingsError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        variable = _as_written(variable, overrides)
        cause = (first.get("ctx") or {}).get("error")
        if isinstance(cause, SettingProblem):
            raise SettingsError(variable, cause.message, **cause.params) from None
        if first["type"] == "literal_error":
            choices = (first.get("ctx") or {}).get("expected", "")
            message = N_("harus salah satu dari: {choices}")
            raise SettingsError(variable, message, choices=choices) from None
        for prefix, message in _PYDANTIC_PROBLEMS.items():
            if first["type"].startswith(prefix):
                raise SettingsError(variable, message) from None
        raise SettingsError(
            variable, N_("nilai tidak valid ({detail})"), detail=first["msg"]
        ) from None
