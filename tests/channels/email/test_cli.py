"""``aduan poll email`` and ``aduan import --channel email`` as an operator runs them."""

from __future__ import annotations

import mailbox
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from aduan.store import open_store
from aduan.store.models import raw_messages
from tests.channels.email.conftest import complaint
from tests.helpers.cli import aduan
from tests.helpers.dovecot import PASSWORD, Dovecot

PASSWORDS = {
    "ADUAN_CHANNELS__EMAIL__CITY__PASSWORD": PASSWORD,
    "ADUAN_CHANNELS__EMAIL__KEDUA__PASSWORD": PASSWORD,
}


def aduan_here(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``aduan`` with the test's ``aduan.toml`` and the mailbox passwords in the environment."""
    return aduan("--config", "aduan.toml", *args, cwd=cwd, env=PASSWORDS)


FIXTURES = Path(__file__).parents[1] / "fixtures" / "email"


def write_config(folder: Path, server: Dovecot, city: str, kedua: str) -> None:
    def mailbox_table(name: str, user: str) -> str:
        return (
            f"[channels.email.{name}]\n"
            f'host = "127.0.0.1"\nport = {server.port}\ntls = "starttls"\n'
            f'ca_file = "{server.cert}"\nusername = "{user}"\nbatch_size = 2\n\n'
        )

    (folder / "aduan.toml").write_text(
        f'database_url = "sqlite:///{folder / "aduan.db"}"\n\n'
        + mailbox_table("city", city)
        + mailbox_table("kedua", kedua)
    )


def rows(folder: Path) -> int:
    engine = open_store(f"sqlite:///{folder / 'aduan.db'}")
    with engine.connect() as conn:
        found = int(conn.execute(select(func.count()).select_from(raw_messages)).scalar_one())
    engine.dispose()
    return found


def test_poll_command_per_account_and_once(dovecot: Dovecot, tmp_path: Path) -> None:
    city, kedua = dovecot.new_user(), dovecot.new_user()
    dovecot.deliver(city, [complaint(i) for i in range(3)])
    dovecot.deliver(kedua, [complaint(i, folder="kedua") for i in range(1)])
    write_config(tmp_path, dovecot, city, kedua)

    once = aduan_here("poll", "email", "--account", "city", "--once", cwd=tmp_path)
    assert once.returncode == 0, once.stderr
    assert "email/city: fetched 2, new 2" in once.stdout
    assert "kedua" not in once.stdout
    every = aduan_here("poll", "email", cwd=tmp_path)
    assert every.returncode == 0, every.stderr
    assert "email/city: fetched 1, new 1" in every.stdout
    assert "email/kedua: fetched 1, new 1" in every.stdout
    assert rows(tmp_path) == 4
    assert PASSWORD not in every.stdout + every.stderr


def test_import_mbox_and_maildir_idempotent_and_same_key_as_imap(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    city = dovecot.new_user()
    messages = [complaint(i) for i in range(3)]
    dovecot.deliver(city, messages)
    write_config(tmp_path, dovecot, city, dovecot.new_user())
    assert aduan_here("poll", "email", "--account", "city", cwd=tmp_path).returncode == 0

    box = mailbox.mbox(str(tmp_path / "ekspor.mbox"))
    for payload in [*messages, (FIXTURES / "plain.eml").read_bytes()]:
        box.add(payload.replace(b"\r\n", b"\n"))
    box.close()
    first = aduan_here(
        "import", "--channel", "email", "--account", "city", "ekspor.mbox", cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "1 new, 3 already present, 0 quarantined" in first.stdout
    again = aduan_here(
        "import", "--channel", "email", "--account", "city", "ekspor.mbox", cwd=tmp_path
    )
    assert "0 new, 4 already present" in again.stdout

    maildir = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    maildir.add((FIXTURES / "signature.eml").read_bytes())
    maildir.add((FIXTURES / "no_sender.eml").read_bytes())
    result = aduan_here("import", "-c", "email", "--account", "city", "Maildir", cwd=tmp_path)
    assert result.returncode == 1  # one message quarantined: kept, visible, exit 1
    assert "2 new, 0 already present, 1 quarantined" in result.stdout
    assert rows(tmp_path) == 6

    (tmp_path / "bukan").mkdir()
    wrong = aduan_here("import", "-c", "email", "--account", "city", "bukan", cwd=tmp_path)
    assert wrong.returncode == 1 and "not a Maildir" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_poll_since_fetches_again_without_storing_twice(dovecot: Dovecot, tmp_path: Path) -> None:
    city = dovecot.new_user()
    dovecot.deliver(city, [complaint(i) for i in range(3)])
    write_config(tmp_path, dovecot, city, dovecot.new_user())
    assert aduan_here("poll", "email", "--account", "city", cwd=tmp_path).returncode == 0
    assert (
        aduan_here("poll", "email", "--account", "city", cwd=tmp_path).stdout.count("fetched 0")
        == 1
    )
    today = datetime.now().date().isoformat()
    again = aduan_here("poll", "email", "--account", "city", "--since", today, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "email/city: fetched 3, new 0, already present 3" in again.stdout
    assert rows(tmp_path) == 3
    bad = aduan_here("poll", "email", "--account", "city", "--since", "kemarin", cwd=tmp_path)
    assert bad.returncode == 2 and "not a date" in bad.stderr
