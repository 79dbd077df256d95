"""`make test` says what the system lacks before the suite runs (tests/system_check.py)."""

from tests import system_check


def test_nothing_is_missing_here():
    # The suite itself needs all three; if this fails, the message says what to install.
    assert system_check.missing() == []
    assert system_check.main() == 0


def test_missing_packages_are_named_with_their_install_line(monkeypatch, capsys):
    checks = (
        ("Chromium (browser tests)", "chromium", lambda: None),
        ("GNU gettext", "gettext", lambda: "/usr/bin/msgfmt"),
    )
    monkeypatch.setattr(system_check, "CHECKS", checks)
    assert system_check.main() == 1
    err = capsys.readouterr().err
    assert "Chromium (browser tests)" in err and "gettext" not in err.split("Install")[0]
    assert "sudo apt-get install chromium\n" in err
