"""`rekam demo`: the newcomer's offline first run, played from a file or typed at a terminal."""

from __future__ import annotations

import asyncio
import io
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile

from bot.demo.chat import run_demo
from bot.demo.lines import Become, Nothing, Press, Quit, Say, fill, read_line
from bot.demo.transcript import Transcript
from bot.emulator import TelegramEmulator, UserClient
from bot.emulator.transport import IN_PROCESS_BASE_URL, emulator_request
from bot.i18n import Catalogs
from tests.support.harness import until

README = Path(__file__).resolve().parents[1] / "README.md"
GOODBYE = re.compile(r"^Sampai jumpa! Berkas dan log demo tetap ada di (\S+)\.$", re.MULTILINE)


def _environment(tmp_path: Path) -> dict[str, str]:
    # TMPDIR: the demo's folder (database, log, files) lands in the test's own directory.
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}


def _demo(script: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=_environment(tmp_path),
    )


def _played(script: str, tmp_path: Path) -> str:
    path = tmp_path / "conversation.txt"
    path.write_text(script, encoding="utf-8")
    result = _demo(path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


# --- what a line means ----------------------------------------------------------------------


def test_a_number_presses_a_button_only_when_there_is_one() -> None:
    assert read_line("2", buttons=3) == Press(2)
    assert read_line(" 3 ", buttons=3) == Press(3)
    assert read_line("4", buttons=3) == Say("4")
    assert read_line("0", buttons=3) == Say("0")
    assert read_line("3599016708090001", buttons=3) == Say("3599016708090001")
    assert read_line("1", buttons=0) == Say("1")


def test_hash_number_always_presses_and_other_hash_lines_are_comments() -> None:
    assert read_line("#3", buttons=5) == Press(3)
    assert read_line("#9", buttons=2) == Press(9)  # the chat says there is no such button
    assert read_line("# a comment 3", buttons=3) == Nothing()
    assert read_line("", buttons=3) == Nothing()


def test_roles_and_leaving() -> None:
    assert read_line(":parent", buttons=0) == Become("parent")
    assert read_line(":quit", buttons=2) == Quit()
    assert read_line(":keluar", buttons=0) == Quit()


def test_placeholders_are_filled_and_other_braces_stay() -> None:
    assert fill("/start {undangan} {x}", {"undangan": "AB12"}) == "/start AB12 {x}"


# --- what arrives -----------------------------------------------------------------------------


async def test_what_arrives_for_anyone_prints_at_once_and_files_are_saved(tmp_path: Path) -> None:
    emulator = TelegramEmulator()
    people = {
        persona: UserClient(emulator, emulator.add_user(name, started=True))
        for persona, name in (("teen", "Rina"), ("parent", "Ibu Wulan"), ("staff", "Andi"))
    }
    out = io.StringIO()
    transcript = Transcript(people, out, Catalogs().gettext("id"), tmp_path / "berkas")
    transcript.prompt_shown = transcript.prompt  # the teen is typing a line
    watching = asyncio.create_task(transcript.watch())
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅ Setujui", callback_data="a:1")]])
    async with Bot(
        emulator.token, base_url=IN_PROCESS_BASE_URL, request=emulator_request(emulator)
    ) as bot:
        await bot.send_message(people["parent"].id, "Rina sudah konfirmasi.")
        await until(lambda: _shows(out, "konfirmasi."), what="the parent's message")
        for content in (b"BEGIN:VCALENDAR", b"BEGIN:VCALENDAR\nother"):
            await bot.send_document(people["teen"].id, InputFile(content, filename="jadwal.ics"))
        await bot.send_message(people["staff"].id, "Permintaan tautan", reply_markup=keyboard)
        await until(lambda: _shows(out, "[1] ✅ Setujui"), what="the staff's message")
    watching.cancel()
    shown = out.getvalue()
    # Printed with nothing typed, below the prompt, which is shown again.
    assert shown.startswith("\n[Ibu Wulan, orang tua] 🤖 Rina sudah konfirmasi.\n[remaja] > ")
    files = tmp_path / "berkas"
    assert f"🤖 \n   📎 {files / 'jadwal.ics'} (15 B)\n" in shown  # the teen's: no label
    assert (files / "jadwal.ics").read_bytes() == b"BEGIN:VCALENDAR"
    assert (files / "jadwal-2.ics").read_bytes() == b"BEGIN:VCALENDAR\nother"
    assert "[Andi, petugas] 🤖 Permintaan tautan\n   [1] ✅ Setujui" in shown
    # Numbers press the buttons of whoever is played: the staff's message is not the teen's.
    assert transcript.buttons() is None
    transcript.persona = "staff"
    assert (pressed := transcript.buttons()) is not None and pressed.text == "Permintaan tautan"


async def _shows(out: io.StringIO, text: str) -> bool:
    return text in out.getvalue()


# --- scripts ----------------------------------------------------------------------------------


def test_demo_script_plays_a_teen_and_a_parent(tmp_path: Path) -> None:
    out = _played(
        "# a teen starts in English\n/start\n2\n1\n/bantuan\n:parent\n/start\n3\n:quit\n/start\n",
        tmp_path,
    )
    assert out.startswith("Rekam — demo tanpa jaringan")
    assert "[1] Bahasa Indonesia\n   [2] English\n   [3] Basa Jawa" in out
    assert "🤖 Welcome to Rekam!" in out
    assert "🤖 ✎ Thank you! Next:" in out
    assert "/bahasa — Change language" in out
    assert "— Sekarang Anda berperan sebagai orang tua. —" in out
    assert "🤖 Sugeng rawuh ing Rekam!" in out
    # Nothing runs after :quit but the goodbye.
    assert re.search(r"\[orang tua\] > :quit\nSampai jumpa! [^\n]*\n\Z", out)


def test_demo_invitation_from_the_banner_leads_to_a_summons(tmp_path: Path) -> None:
    out = _played("/start {undangan}\n{lahir}\nLewati\n1\n", tmp_path)
    hint = re.search(r"/start (\w+), lalu tanggal lahir ([\d-]+)", out)
    assert hint is not None
    assert f"[remaja] > /start {hint[1]}\n" in out and f"[remaja] > {hint[2]}\n" in out
    assert "🤖 Halo, " in out and "📣 Panggilan perekaman KTP-el" in out
    assert "Mal Pelayanan Publik (MPP), Jl. Veteran No. 12" in out
    assert "   📍 -7.96660, 112.63260" in out
    assert "⌨ 📱 Bagikan nomor telepon | Lewati" in out
    assert "Status: ✅ Anda akan datang" in out  # "1" pressed the summons' first button


def test_a_nik_is_text_while_the_last_message_has_buttons(tmp_path: Path) -> None:
    out = _played(":parent\n/start\n1\n2\n/ortu\n{nik}\n#0\n#1\n{nik}\n#7\n", tmp_path)
    assert "[1] Anak tanpa Telegram: pakai NIK" in out
    nik = re.search(r"NIK contoh: (\d{16})", out)
    assert nik is not None
    # Typed with the button showing, the NIK went to the bot as text (which did not expect it) ...
    assert f"[orang tua] > {nik[1]}\n🤖 Maaf, saya belum mengerti pesan itu." in out
    # ... #1 pressed the button, and then the NIK is the answer asked for.
    assert "[orang tua] > #1\n🤖 Tulis NIK anak Anda" in out
    assert f"[orang tua] > {nik[1]}\n🤖 Tulis tanggal lahir anak Anda" in out
    assert "Tidak ada tombol nomor 3599" not in out
    assert "[orang tua] > #0\nTidak ada tombol nomor 0." in out
    assert "[orang tua] > #7\nTidak ada tombol nomor 7." in out


def _readme_script() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("`rekam demo --script FILE`")
    block = re.search(r"```text\n(.*?)```", text[start:], re.DOTALL)
    assert block is not None, "the README's demo script"
    return block[1]


def _unanswered(out: str) -> list[str]:
    """Typed lines that expect the bot to answer and were followed by no line from it."""
    lines = out.splitlines()
    missing = []
    for index, line in enumerate(lines):
        typed = re.match(r"\[[^\]]+\] > (.*)", line)
        if typed is None or read_line(typed[1], buttons=0) in (Nothing(), Quit()):
            continue
        if typed[1].startswith(":"):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not re.match(r"(\[[^\]]+\] )?🤖", following):
            missing.append(line)
    return missing


@pytest.mark.slow
def test_the_readme_demo_script_runs_clean_and_every_line_is_answered(tmp_path: Path) -> None:
    script = tmp_path / "readme.txt"
    script.write_text(_readme_script(), encoding="utf-8")
    result = _demo(script, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out and result.stderr == ""  # the log goes to its file
    assert _unanswered(out) == []
    folder = GOODBYE.search(out)
    assert folder is not None and Path(folder[1]).parent == tmp_path
    files, log = Path(folder[1]) / "berkas", Path(folder[1]) / "rekam.log"
    assert f"Berkas yang dikirim bot disimpan di {files}; log bot ada di {log}." in out
    # Files are saved where the banner says, and the transcript names them.
    assert f"   📎 {files / 'kode.png'} (" in out and (files / "kode.png").stat().st_size > 100
    assert f"   📎 {files / 'statistik.png'} (" in out and (files / "statistik.png").exists()
    # Today's session has something for staff to see, and the desk finds an expected teen.
    assert "dipanggil 12 · konfirmasi 4 · hadir 4 · tempat 40" in out
    assert "Panggilan: sudah konfirmasi · Kantor Dinas Dukcapil Kota Contoh" in out
    assert re.search(r"🤖 ✅ .+ terekam\.", out)
    # The broadcast reaches Rina while staff is being played: shown as it arrives, labelled.
    assert "[Rina, remaja] 🤖 📢 Pesan dari Dinas Dukcapil Kota Contoh:" in out
    assert "Besok kantor buka pukul 07.30." in out
    assert "Traceback" not in log.read_text(encoding="utf-8")
    assert out.rstrip().endswith(folder[0])


def test_help_describes_the_script_format() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert "#3                    selalu menekan tombol nomor 3" in result.stdout
    assert "{undangan} {lahir}    kode undangan Rina" in result.stdout
    assert "{nik_anak}            NIK Rina" in result.stdout
    assert "{nik} {lahir_nik}     NIK contoh" in result.stdout
    assert "{hadir}               kode hadir" in result.stdout


# --- at a terminal: leaving at once -----------------------------------------------------------


def _typing(tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(tmp_path),
    )


def _read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float = 90) -> bytes:
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{marker!r} not printed; got {seen.decode(errors='replace')}"
        ready, _, _ = select.select([process.stdout], [], [], left)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            assert chunk, f"output ended before {marker!r}: {seen.decode(errors='replace')}"
            seen += chunk
    return seen


def test_end_of_input_ends_the_demo_cleanly(tmp_path: Path) -> None:
    process = _typing(tmp_path)
    # Two lines, then the input ends (as Ctrl-D ends it at a terminal).
    out, err = process.communicate(b"/start\n#2\n", timeout=90)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    assert "🤖 ✎ Language: English ✓" in text  # both lines were played before the end
    assert GOODBYE.search(text) and "Traceback" not in text + err.decode()


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="POSIX signals")
def test_ctrl_c_leaves_at_once_without_waiting_for_enter(tmp_path: Path) -> None:
    process = _typing(tmp_path)
    try:
        _read_until(process, b"[remaja] > ")
        process.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
        started = time.monotonic()
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert time.monotonic() - started < 15
    assert process.returncode == 0, err.decode()
    assert GOODBYE.search(out.decode()) and "Traceback" not in (out + err).decode()


async def test_the_banner_link_opens_the_dashboard_while_the_demo_runs(tmp_path: Path) -> None:
    out = io.StringIO()
    seen: list[str] = []

    def sign_in(link: str) -> None:
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            page = browser.get(link)  # the page with the Masuk button
            assert page.status_code == 200
            form = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert form, page.text
            seen.append(browser.post(link, data={"csrf": form[1]}).text)

    def script() -> Iterator[str]:
        found = re.search(r"(http://127\.0\.0\.1:\d+/masuk/\S+)", out.getvalue())
        assert found, out.getvalue()
        opening = threading.Thread(target=sign_in, args=(found[1],))
        opening.start()
        for _ in range(100):  # the bot answers while the dashboard serves the staff member
            if not opening.is_alive():
                break
            yield "/bantuan"
        opening.join()
        yield ":quit"

    await run_demo(lines=script(), out=out, folder=tmp_path)
    assert "Dasbor web kantor, untuk petugas Andi" in out.getvalue()
    assert len(seen) == 1 and "<h1>Ringkasan</h1>" in seen[0]
