"""How a NIK and a target's codes are kept at rest: a keyed hash to find them, and a sealed
copy to show them to those allowed. A stolen database file or backup shows neither a NIK nor a
working code, nor a way to test guesses against them, without DATA_KEY, which lives in the
environment, not in the database.

One 32-byte key (URL-safe base64, from `rekam keygen`) gives its keys by HMAC: one each for the
NIK hash, the code hash and the phone-number hash (HMAC-SHA256), one for the seal (AES-256-GCM
with a random nonce per value; a NIK, a code and a phone number are sealed under different
associated data, so none can stand in for another), one for the database's key check (bot/db/keys.py) and one for backups
(bot/db/backup.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import AsyncSession

KEY_BYTES = 32
_NONCE_BYTES = 12
_CONTEXT = b"rekam:nik"
_CODE_CONTEXT = b"rekam:code"
_PHONE_CONTEXT = b"rekam:phone"
CODE_HASH_DIGITS = 32
INFO_KEY = "rekam_vault"  # where a unit of work finds the vault (Database puts it there)


class MissingDataKeyError(RuntimeError):
    """A NIK or a code was to be read or written, and DATA_KEY is not set."""


class BadDataKeyError(ValueError):
    """DATA_KEY is not 32 bytes in URL-safe base64."""


def new_key() -> str:
    """A fresh DATA_KEY: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _decode(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode() + b"=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raise BadDataKeyError("not URL-safe base64") from None
    if len(key) != KEY_BYTES:
        raise BadDataKeyError(f"{len(key)} bytes, not {KEY_BYTES}")
    return key


def _derived(key: bytes, label: bytes) -> bytes:
    return hmac.new(key, label, hashlib.sha256).digest()


class Vault:
    """Hashes, seals and opens NIKs and codes with the office's DATA_KEY. `check_value` names
    the key without giving it away (stored in the database: bot/db/keys.py)."""

    def __init__(self, data_key: str) -> None:
        key = _decode(data_key)
        # Keyed once: each hash copies this state, half the cost of keying HMAC again (an
        # import hashes a city's list).
        self._mac = hmac.new(_derived(key, b"hash"), None, "sha256")
        self._code_mac = hmac.new(_derived(key, b"code"), None, "sha256")
        self._phone_mac = hmac.new(_derived(key, b"phone"), None, "sha256")
        self._aead = AESGCM(_derived(key, b"seal"))
        check = hmac.new(_derived(key, b"check"), b"rekam:data-key", "sha256")
        self.check_value = check.hexdigest()
        self._backup = _derived(key, b"backup")

    def hash(self, nik: str) -> str:
        """The NIK's keyed hash (64 hex digits): equal NIKs, equal hashes; unguessable without
        the key."""
        mac = self._mac.copy()
        mac.update(nik.encode())
        return mac.hexdigest()

    def backup_key(self, salt: bytes) -> bytes:
        """The key of one backup file, made with its own random salt (bot/db/backup.py)."""
        return _derived(self._backup, salt)

    def code_hash(self, code: str) -> str:
        """A code's keyed hash, the same for an invitation, attendance or parent code: codes
        are 8 characters, so without the key a stolen hash cannot be tested against the 31**8
        of them. 128 bits (CODE_HASH_DIGITS hex digits) keep millions of codes apart with no
        collision in sight, and their unique indexes half the size of whole digests (an import
        writes two a row)."""
        return self.code_hashes([code])[0]

    def code_hashes(self, codes: list[str]) -> list[str]:
        """`code_hash` for each code (an import makes two codes a row)."""
        copy = self._code_mac.copy
        hashes = []
        for code in codes:
            mac = copy()
            mac.update(code.encode())
            hashes.append(mac.hexdigest()[:CODE_HASH_DIGITS])
        return hashes

    def phone_hash(self, e164: str) -> str:
        """A phone number's keyed hash (64 hex digits), to find whose number an answer came
        from: a number has about 10**11 values, few enough to try them all against a hash
        made without a key."""
        mac = self._phone_mac.copy()
        mac.update(e164.encode())
        return mac.hexdigest()

    def seal_phones(self, numbers: list[str]) -> list[str]:
        """Phone numbers encrypted, to send to them and show them to staff."""
        return self._seal_all(numbers, _PHONE_CONTEXT)

    def open_phone(self, sealed: str) -> str:
        """A phone number back; ValueError if it was sealed with another key or altered."""
        return self._open(sealed, _PHONE_CONTEXT)

    def seal(self, nik: str) -> str:
        """The NIK encrypted (a new nonce each time), URL-safe base64."""
        return self.seal_many([nik])[0]

    def seal_many(self, niks: list[str]) -> list[str]:
        """`seal` for each NIK, the nonces drawn from the system in one block, not one call a
        NIK: an import seals a city's list. Each NIK still has its own random nonce."""
        return self._seal_all(niks, _CONTEXT)

    def seal_code(self, code: str) -> str:
        """A code encrypted, to print it on a letter again or show it in /kode."""
        return self._seal_all([code], _CODE_CONTEXT)[0]

    def seal_codes(self, codes: list[str]) -> list[str]:
        """`seal_code` for each code, the nonces drawn in one block (as `seal_many`)."""
        return self._seal_all(codes, _CODE_CONTEXT)

    def _seal_all(self, values: list[str], context: bytes) -> list[str]:
        nonces = os.urandom(_NONCE_BYTES * len(values))
        encrypt, encode = self._aead.encrypt, base64.urlsafe_b64encode
        sealed = []
        for index, value in enumerate(values):
            nonce = nonces[index * _NONCE_BYTES : (index + 1) * _NONCE_BYTES]
            sealed.append(encode(nonce + encrypt(nonce, value.encode(), context)).decode())
        return sealed

    def open(self, sealed: str) -> str:
        """The NIK back; ValueError if it was sealed with another key or altered."""
        return self._open(sealed, _CONTEXT)

    def open_code(self, sealed: str) -> str:
        """The code back; ValueError if it was sealed with another key or altered."""
        return self._open(sealed, _CODE_CONTEXT)

    def _open(self, sealed: str, context: bytes) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode())
            opened: bytes = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context)
            return opened.decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise ValueError("sealed with another DATA_KEY, or altered") from None


def vault_of(session: AsyncSession) -> Vault:
    """The vault of the unit of work's database; MissingDataKeyError without DATA_KEY."""
    vault = session.info.get(INFO_KEY)
    if not isinstance(vault, Vault):
        raise MissingDataKeyError("DATA_KEY")
    return vault
