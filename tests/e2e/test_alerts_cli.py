"""``kvarn alerts test`` and ``kvarn alerts status`` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import kvarn
from tests.integration.alert_receivers import (
    file_lines,
    free_port,
    slack_server,
    smtp_server,
    write_config,
)


def test_alerts_test_reaches_every_enabled_channel(tmp_path: Path) -> None:
    with slack_server() as slack, smtp_server() as mail:
        write_config(tmp_path, slack.port, mail.port)
        res = kvarn("alerts", "test", data=tmp_path)
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines() == ["file: sent", "slack: sent", "email: sent"]
    assert "[INFO] kvarn test alert" in slack.posts[0]["text"]
    assert mail.messages[0]["Subject"] == "[kvarn INFO] kvarn test alert"
    assert file_lines(tmp_path)[0]["source"] == "kvarn alerts test"


def test_alerts_test_names_a_channel_that_is_down_and_a_broken_config(tmp_path: Path) -> None:
    write_config(tmp_path, free_port(), free_port())
    res = kvarn("alerts", "test", data=tmp_path)
    assert res.returncode == 1
    assert "slack: failed: slack: webhook unreachable" in res.stdout
    assert res.stderr.strip().splitlines() == [
        "error: test alert not delivered on slack, email (see above)"
    ]
    status = kvarn("alerts", "status", data=tmp_path)
    assert status.returncode == 0 and "slack  on  min WARNING  cool-down 30 min" in status.stdout

    (tmp_path / "config" / "alerts.yaml").write_text("channels:\n  sms: {}\n", encoding="utf-8")
    broken = kvarn("alerts", "test", data=tmp_path)
    assert broken.returncode == 1 and len(broken.stderr.strip().splitlines()) == 1
    assert "unknown channel 'sms'" in broken.stderr and "hint:" in broken.stderr
