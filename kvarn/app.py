"""``kvarn``: the command line over the same engine the Dagster assets call.

The top floor: one module per command group (generate, run, sql, contracts, audit, export,
review), mounted on one Typer app here. Heavy imports (dagster, presidio, great-expectations)
happen inside the commands that need them, so ``kvarn --help`` and the streaming contracts
start fast. Errors print one line and exit 1.
"""

from __future__ import annotations

import typer

from kvarn import audit, contracts, forget, generate, report, retention, run, sql
from kvarn.alerts import alerts_app
from kvarn.common import KvarnError, err
from kvarn.export import export_app
from kvarn.metrics import metrics_app
from kvarn.review import review_app

app = typer.Typer(
    name="kvarn",
    help="kvarn grinds Swedish assistant telemetry into privacy-safe training data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(generate.generate)
app.command()(run.run)
app.command()(sql.sql)
app.command("duckdb")(sql.duckdb_shell)
app.command()(contracts.pii)
app.command()(contracts.dates)
app.command()(contracts.dedupe)
app.command()(audit.audit)
app.command()(audit.summary)
app.command()(retention.retention)
app.command()(forget.forget)
app.command()(report.report)
app.add_typer(export_app, name="export", help="Versioned training files (sft, dpo, rag, nlu).")
app.add_typer(review_app, name="review", help="Review gold candidates.")
app.add_typer(metrics_app, name="metrics", help="Prometheus metrics: show or serve /metrics.")
app.add_typer(alerts_app, name="alerts", help="Alert channels: status and a test alert.")


def main() -> None:
    try:
        app()
    except KvarnError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except (FileNotFoundError, PermissionError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
