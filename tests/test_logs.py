"""No NIK and no token ever reaches a log line, tracebacks included."""

from __future__ import annotations

import logging

import pytest

from bot.logs import redact, setup_logging

NIK = "3599014512080001"
TOKEN = "123456789:AAE-secret-token-abcdefghijklmnopqrstu"


def test_redact_masks_niks_and_tokens_but_not_shorter_numbers() -> None:
    text = f"nik={NIK} token={TOKEN} phone=081234567890 id=12345678901234567"
    masked = redact(text)
    assert NIK not in masked and "3599********0001" in masked
    assert TOKEN not in masked and "[token]" in masked
    assert "081234567890" in masked  # 12 digits: not a NIK
    assert "12345678901234567" in masked  # 17 digits: not a NIK either


def test_logged_tracebacks_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging()
    try:
        raise ValueError(f"duplicate key nik={NIK} via {TOKEN}")
    except ValueError:
        logging.getLogger("rekam.test").exception("import failed for %s", NIK)
    err = capsys.readouterr().err
    assert "import failed for 3599********0001" in err
    assert "ValueError: duplicate key nik=3599********0001 via [token]" in err
    assert NIK not in err and TOKEN not in err
