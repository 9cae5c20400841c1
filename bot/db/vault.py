"""How a NIK is kept at rest: a keyed hash to find it, and a sealed copy to show it to those
allowed. A stolen database file or backup shows neither the NIK nor a way to test guesses
against it without DATA_KEY, which lives in the environment, not in the database.

One 32-byte key (URL-safe base64, from `rekam keygen`) gives two keys by HMAC: one for the
hash (HMAC-SHA256), one for the seal (AES-256-GCM with a random nonce per value).
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
INFO_KEY = "rekam_vault"  # where a unit of work finds the vault (Database puts it there)


class MissingDataKeyError(RuntimeError):
    """A NIK was to be read or written, and DATA_KEY is not set."""


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


class Vault:
    """Hashes, seals and opens NIKs with the office's DATA_KEY."""

    def __init__(self, data_key: str) -> None:
        key = _decode(data_key)
        # Keyed once: each hash copies this state, half the cost of keying HMAC again (an
        # import hashes a city's list).
        self._mac = hmac.new(hmac.new(key, b"hash", hashlib.sha256).digest(), None, "sha256")
        self._aead = AESGCM(hmac.new(key, b"seal", hashlib.sha256).digest())

    def hash(self, nik: str) -> str:
        """The NIK's keyed hash (64 hex digits): equal NIKs, equal hashes; unguessable without
        the key."""
        mac = self._mac.copy()
        mac.update(nik.encode())
        return mac.hexdigest()

    def seal(self, nik: str) -> str:
        """The NIK encrypted (a new nonce each time), URL-safe base64."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, nik.encode(), _CONTEXT)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def seal_many(self, niks: list[str]) -> list[str]:
        """`seal` for each NIK, the nonces drawn from the system in one block, not one call a
        NIK: an import seals a city's list. Each NIK still has its own random nonce."""
        nonces = os.urandom(_NONCE_BYTES * len(niks))
        encrypt, encode = self._aead.encrypt, base64.urlsafe_b64encode
        sealed = []
        for index, nik in enumerate(niks):
            nonce = nonces[index * _NONCE_BYTES : (index + 1) * _NONCE_BYTES]
            sealed.append(encode(nonce + encrypt(nonce, nik.encode(), _CONTEXT)).decode())
        return sealed

    def open(self, sealed: str) -> str:
        """The NIK back; ValueError if it was sealed with another key or altered."""
        raw = base64.urlsafe_b64decode(sealed.encode())
        try:
            opened: bytes = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _CONTEXT)
            return opened.decode()
        except InvalidTag:
            raise ValueError("sealed with another DATA_KEY, or altered") from None


def vault_of(session: AsyncSession) -> Vault:
    """The vault of the unit of work's database; MissingDataKeyError without DATA_KEY."""
    vault = session.info.get(INFO_KEY)
    if not isinstance(vault, Vault):
        raise MissingDataKeyError("DATA_KEY")
    return vault
