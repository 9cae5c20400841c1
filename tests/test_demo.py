"""`rekam demo --script`: the newcomer's offline first run, played from a file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_demo_script_plays_a_teen_and_a_parent(tmp_path: Path) -> None:
    script = tmp_path / "conversation.txt"
    script.write_text(
        "# a teen starts in English\n/start\n2\n1\n/bantuan\n:parent\n/start\n3\n:quit\n/start\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Rekam — demo tanpa jaringan")
    assert "[1] Bahasa Indonesia\n   [2] English\n   [3] Basa Jawa" in out
    assert "🤖 Welcome to Rekam!" in out
    assert "🤖 ✎ Thank you! Your recording summons" in out
    assert "/bahasa — Change language" in out
    assert "— Sekarang Anda berperan sebagai orang tua. —" in out
    assert "🤖 Sugeng rawuh ing Rekam!" in out
    assert out.rstrip().endswith("[orang tua] > :quit")  # nothing runs after :quit
    assert "Traceback" not in result.stderr


def _demo(script: Path, tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_invitation_from_the_banner_leads_to_a_summons(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    hint = re.search(r"/start (\w+), lalu tanggal lahir ([\d-]+)", _demo(empty, tmp_path))
    assert hint is not None
    script = tmp_path / "invite.txt"
    script.write_text(f"/start {hint[1]}\n{hint[2]}\nLewati\n1\n", encoding="utf-8")
    out = _demo(script, tmp_path)
    assert "🤖 Halo, " in out and "📣 Panggilan perekaman KTP-el" in out
    assert "Mal Pelayanan Publik (MPP), Jl. Veteran No. 12" in out
    assert "   📍 -7.96660, 112.63260" in out
    assert "⌨ 📱 Bagikan nomor telepon | Lewati" in out
    assert "Status: ✅ Anda akan datang" in out  # "1" pressed the summons' first button
