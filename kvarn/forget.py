"""``kvarn forget``: erase a person (a user id or a session id) from everything kvarn holds."""

from __future__ import annotations

from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out


def forget(
    user: str | None = typer.Option(None, "--user", help="The user id as the assistant knows it."),
    session: str | None = typer.Option(None, "--session", help="A session id."),
    queue: bool = typer.Option(
        False, "--queue", help="Only record the request; the hourly erasure job does the rest."
    ),
    pending: bool = typer.Option(False, "--pending", help="Process every queued request now."),
    data: Path | None = DataOpt,
    demo: bool = typer.Option(False, "--demo", help="Use the demo pseudonym key."),
) -> None:
    """Erase a person from landing files, bronze, silver, gold, state, review tasks, every
    export version, Delta history and the Dagster instance; leaves a receipt without them."""
    from assets.instance_dirs import dagster_instance_dirs
    from pipelines.governance.forget import (
        ErasureError,
        process_pending,
        subject_digest,
        submit,
    )
    from pipelines.governance.forget import (
        forget as run_forget,
    )
    from pipelines.pii import load_pseudonym_key
    from pipelines.pii.pseudonym import PseudonymKeyError

    chosen = [(k, v) for k, v in (("user", user), ("session", session)) if v is not None]
    if pending == bool(chosen) or len(chosen) > 1:
        raise KvarnError("give exactly one of --user ID, --session ID or --pending")
    if chosen and not chosen[0][1].strip():
        raise KvarnError(f"--{chosen[0][0]} needs a non-empty id")
    cfg = lake_config(data)
    try:
        key = load_pseudonym_key(demo=demo, key_file=f"{cfg.secrets}/pseudonym.key")
    except PseudonymKeyError as exc:
        hint = "set KVARN_PSEUDONYM_KEY, or --demo for the demo lake"
        raise KvarnError(f"{exc} (hint: {hint})") from None
    instance = dagster_instance_dirs(cfg.data_dir)
    try:
        if pending:
            receipts = process_pending(cfg, key, instance)
        elif queue:
            kind, raw = chosen[0]
            request = submit(cfg, kind, subject_digest(kind, raw, key))
            out.print(f"queued erasure request {request.request_id}", highlight=False)
            return
        else:
            kind, raw = chosen[0]
            with err.status("erasing") as status:

                def step(name: str) -> None:
                    status.update(f"erasing: {name}")

                receipts = [run_forget(cfg, kind, raw, key, instance, progress=step)]
    except ErasureError as exc:
        raise KvarnError(str(exc)) from None
    for receipt in receipts:
        rows = sum(receipt.rows.values())
        out.print(
            f"request {receipt.request_id}: {'erased' if receipt.found else 'nothing found for'} "
            f"the {receipt.kind}: {rows:,} table rows, {receipt.landing_lines:,} landing lines "
            f"in {receipt.landing_files} files, {len(receipt.export_versions_removed)} export "
            f"version(s) replaced, {receipt.instance_cells} Dagster records scrubbed; "
            f"verified {receipt.verified_files:,} files: {receipt.verification_hits} left",
            highlight=False,
        )
        out.print(f"receipt: {Path(cfg.data_dir) / 'governance' / 'receipts'}/"
                  f"{receipt.request_id}.json", highlight=False)  # fmt: skip
    if pending and not receipts:
        out.print("no queued erasure requests", highlight=False)
