"""Incremental refresh (issue "Scale and speed"): a warehouse built from the snapshot files,
then refreshed incrementally after the next day's delta files land (new, changed, deleted
and late stale rows), holds exactly the tables of a full build of snapshot + delta.

The full build is the session's `built_warehouse` (the whole refresh through Dagster); the
incremental one is built here, by dbt alone, in two steps. Everything dbt builds is
compared row for row, but `source_file_seq` (load numbers differ between the two loads).
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from run_dbt_cli import MODELS_AND_SEEDS, run_dbt

from orchestration.build_state import definitions_fingerprint, loaded_file_seq, needs_full_refresh, record_build
from orchestration.ingest import ingest_landing

pytestmark = pytest.mark.e2e

BUILT_SCHEMAS = ("staging", "intermediate", "marts", "kpi_inputs", "kpi")
LOAD_NUMBER = "source_file_seq"
# A build's own work list, not data: every lead on a full build, the changed ones on an
# incremental build (its own test below).
LEAD_CHANGES = "intermediate.int_lead_changes"


def _copy(files: list[Path], source: Path, landing: Path) -> None:
    """Copies, not links: the ingestion follows no link to a file outside the landing folder."""
    for file in files:
        (landing / file.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, landing / file.relative_to(source))


@pytest.fixture(scope="module")
def incremental_build(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Snapshot files loaded and built, and the build recorded as the pipeline records it;
    then the delta files loaded and built incrementally."""
    root = tmp_path_factory.mktemp("incremental")
    landing, warehouse, target = root / "landing", root / "fukan.duckdb", root / "target"
    snapshot = sorted(demo_landing.rglob("*_full.*"))
    delta = sorted(demo_landing.rglob("*_delta.*"))
    assert snapshot and delta, "the demo extracts should carry snapshot and delta files"
    _copy(snapshot, demo_landing, landing)
    ingest_landing(landing, warehouse, progress=False)
    loaded_through = loaded_file_seq(warehouse)
    run_dbt([*MODELS_AND_SEEDS, "--quiet"], warehouse, target)
    record_build(warehouse, definitions_fingerprint(), True, loaded_through)
    _copy(delta, demo_landing, landing)
    ingest_landing(landing, warehouse, progress=False)
    run_dbt([*MODELS_AND_SEEDS, "--quiet"], warehouse, target)
    return warehouse, target


def _incremental_models(target: Path) -> list[dict]:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    ]


def test_second_build_merged_into_the_existing_tables(incremental_build):
    _, target = incremental_build
    models = _incremental_models(target)
    names = {node["name"] for node in models}
    assert {
        "stg_crm__tasks",
        "stg_crm__events",
        "int_activities_classified",
        "fct_activities",
        "int_lead_status_intervals",
        "int_opportunity_history_intervals",
        "int_opportunity_stage_visits",
        "int_kpi_inside_sales_speed_to_lead",
    } <= names
    for node in models:
        executed = (target / "run" / "fukan" / node["original_file_path"]).read_text(encoding="utf-8").lower()
        # An insert into the existing table, not a `create table as` over all history;
        # delete+insert deletes the keys it inserts (append models delete in a pre-hook).
        assert "insert into" in executed, node["name"]
        if node["config"]["incremental_strategy"] == "delete+insert":
            assert "delete from" in executed, node["name"]


def _differences(full: Path, incremental: Path) -> dict[str, tuple[int, int]]:
    """Per table: rows only in the full build, rows only in the incremental build."""
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{full}' as full_build (read_only)")
        con.execute(f"attach '{incremental}' as incremental_build (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'full_build' "
            f"and schema_name in {BUILT_SCHEMAS} order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'full_build' "
                    "and schema_name = ? and table_name = ? and column_name <> ? order by column_index",
                    [schema, table, LOAD_NUMBER],
                ).fetchall()
            )
            one, other = (f"select {columns} from {db}.{schema}.{table}" for db in ("full_build", "incremental_build"))
            only_full = con.execute(f"select count(*) from ({one} except all {other})").fetchone()[0]
            only_incremental = con.execute(f"select count(*) from ({other} except all {one})").fetchone()[0]
            found[f"{schema}.{table}"] = (only_full, only_incremental)
    return found


def _assert_identical_tables(full: Path, incremental: Path) -> None:
    """Every table dbt builds (the KPI marts among them) holds the same rows in both,
    but the build's own work list."""
    differences = _differences(full, incremental)
    assert len(differences) >= 50 and any(name.startswith("kpi.") for name in differences)
    differences.pop(LEAD_CHANGES)
    assert {name: counts for name, counts in differences.items() if counts != (0, 0)} == {}


def test_incremental_and_full_builds_give_identical_tables(incremental_build, built_warehouse):
    warehouse, _ = incremental_build
    _assert_identical_tables(built_warehouse.warehouse, warehouse)


def _copy_with_every_demo_file(incremental_build, demo_landing: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the incrementally built warehouse, and a landing folder holding every
    demo file it loaded (copies), for a test's own next days."""
    warehouse, _ = incremental_build
    landing, copy, target = tmp_path / "landing", tmp_path / "fukan.duckdb", tmp_path / "target"
    _copy(sorted(path for path in demo_landing.rglob("*") if path.is_file()), demo_landing, landing)
    shutil.copyfile(warehouse, copy)
    return landing, copy, target


def _incremental_day(warehouse: Path, landing: Path, target: Path) -> list[int]:
    """The pipeline's next refresh: the last build recorded, the new landing files loaded,
    an incremental build. Returns the rows each new file loaded."""
    record_build(warehouse, definitions_fingerprint(), False, loaded_file_seq(warehouse))
    loaded = ingest_landing(landing, warehouse, progress=False).files
    run_dbt([*MODELS_AND_SEEDS, "--quiet"], warehouse, target)
    return [file.rows_loaded for file in loaded if file.status == "loaded"]


def _assert_a_full_build_agrees(warehouse: Path, target: Path, tmp_path: Path) -> None:
    full = tmp_path / "full.duckdb"
    shutil.copyfile(warehouse, full)
    run_dbt([*MODELS_AND_SEEDS, "--full-refresh", "--quiet"], full, target)
    _assert_identical_tables(full, warehouse)


def _rename_team(landing: Path, developer_name: str, name: str, new_name: str, day: str) -> None:
    """A user_role delta file of `day` (YYYYMMDD) renaming one team, modified at 09:00 UTC that day."""
    [roles] = (landing / "user_role").glob("*_full.csv")
    header, *rows = roles.read_text(encoding="utf-8").splitlines()
    [team] = [row for row in rows if f'"{developer_name}"' in row]
    renamed = team.replace(name, new_name)
    renamed = renamed.replace(renamed.split(",")[2], f'"{day[:4]}-{day[4:6]}-{day[6:]}T09:00:00.000+0000"')
    (landing / "user_role" / f"user_role_{day}_delta.csv").write_text(f"{header}\n{renamed}\n", encoding="utf-8")


def test_a_renamed_team_reaches_every_incremental_model(incremental_build, demo_landing, tmp_path):
    """A day whose only file renames a field-sales team (a user_role record): the
    incremental models rebuild the activities of that team's reps, as a full build of
    the same files does. No lead, task or event changes that day, so only
    the owners' trace finds them."""
    landing, copy, target = _copy_with_every_demo_file(incremental_build, demo_landing, tmp_path)
    _rename_team(
        landing, "FS_Enterprise", "フィールドセールス エンタープライズ", "フィールドセールス 大企業", "20261002"
    )
    assert _incremental_day(copy, landing, target) == [1]
    _assert_a_full_build_agrees(copy, target, tmp_path)
    with duckdb.connect(str(copy), read_only=True) as con:
        assert (
            con.execute(
                "select count(*) from marts.fct_activities where owner_team_name = 'フィールドセールス 大企業'"
            ).fetchone()[0]
            > 0
        )


def _salesforce_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _write_record(path: Path, template: Path, values: dict[str, str]) -> None:
    """A file holding one record, under the header of the demo file `template` (columns
    `values` does not name are empty)."""
    with template.open(encoding="utf-8", newline="") as source:
        header = next(csv.reader(source))
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(header)
        writer.writerow([values.get(column, "") for column in header])


def _write_completed_call(
    path: Path, template: Path, task_id: str, lead_id: str, owner_id: str, created: datetime, modified: datetime
) -> None:
    """A task file holding one completed call, under the demo task file's header."""
    values = {
        "id": task_id,
        "created_date": _salesforce_time(created),
        "system_modstamp": _salesforce_time(modified),
        "last_modified_date": _salesforce_time(modified),
        "is_deleted": "false",
        "who_id": lead_id,
        "owner_id": owner_id,
        "type": "Call",
        "task_subtype": "Call",
        "subject": "架電",
        "status": "Completed",
        "is_closed": "true",
        "activity_date": created.date().isoformat(),
        "completed_date_time": _salesforce_time(created),
    }
    _write_record(path, template, values)


def _task_in(warehouse: Path, task_id: str, relation: str) -> bool:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select count(*) from {relation} where activity_id = ?", [task_id]).fetchone()[0] == 1


def test_an_activity_after_the_as_of_instant_joins_when_the_instant_reaches_it(
    incremental_build, demo_landing, tmp_path
):
    """A call whose record was last modified before it was created (clock skew at the
    source), dated after the as-of instant: the facts leave it out. A later day moves
    the instant past it; the call's record never changes again, so only the facts' watch
    for activities later than all they hold brings it in - as a full build does."""
    landing, copy, target = _copy_with_every_demo_file(incremental_build, demo_landing, tmp_path)
    with duckdb.connect(str(copy), read_only=True) as con:
        as_of = con.execute("select as_of_at from intermediate.int_as_of").fetchone()[0]
        lead_id, owner_id = con.execute(
            "select lead_id, owner_user_id from staging.stg_crm__leads "
            "where not is_deleted and converted_contact_id is null order by lead_id limit 1"
        ).fetchone()
    [template] = (landing / "task").glob("*_full.csv")
    late_call, next_call = "00T900000000000001", "00T900000000000002"
    _write_completed_call(
        landing / "task" / "task_20261002_delta.csv",
        template,
        late_call,
        lead_id,
        owner_id,
        created=as_of + timedelta(days=1),
        modified=as_of - timedelta(hours=1),
    )
    assert _incremental_day(copy, landing, target) == [1]
    assert not _task_in(copy, late_call, "marts.fct_activities")  # after the instant, which it did not move

    _write_completed_call(
        landing / "task" / "task_20261003_delta.csv",
        template,
        next_call,
        lead_id,
        owner_id,
        created=as_of + timedelta(days=2),
        modified=as_of + timedelta(days=2),
    )
    assert _incremental_day(copy, landing, target) == [1]
    assert _task_in(copy, late_call, "marts.fct_activities")
    _assert_a_full_build_agrees(copy, target, tmp_path)


def test_a_renamed_team_reaches_the_leads_its_reps_attempted(incremental_build, demo_landing, tmp_path):
    """Speed to lead credits a lead's first attempt to the caller's team. A call by a rep
    of one inside-sales team on a lead another team owns (day one), then the caller's
    team renamed (day two, no lead, task or event changing): the lead's row follows the
    caller's team, as a full build of the same files does. Only the trace of the
    activities' owners finds the lead; its owner did not change."""
    landing, copy, target = _copy_with_every_demo_file(incremental_build, demo_landing, tmp_path)
    speed_to_lead = "kpi_inputs.int_kpi_inside_sales_speed_to_lead"
    with duckdb.connect(str(copy), read_only=True) as con:
        lead_id, created_at = con.execute(
            f"select lead_id, created_at from {speed_to_lead} "
            "where first_attempt_at is null and team_name = 'インサイドセールス1課' "
            "and created_at < (select as_of_at from intermediate.int_as_of) - interval 1 day "
            "order by created_at desc, lead_id limit 1"
        ).fetchone()
        [caller] = con.execute(
            "select min(user_id) from marts.dim_users "
            "where is_current and team_name = 'インサイドセールス2課' and valid_from <= ?",
            [created_at],
        ).fetchone()
    [template] = (landing / "task").glob("*_full.csv")
    called_at = created_at + timedelta(minutes=1)
    _write_completed_call(
        landing / "task" / "task_20261002_delta.csv",
        template,
        "00T900000000000003",
        lead_id,
        caller,
        created=called_at,
        modified=called_at,
    )
    assert _incremental_day(copy, landing, target) == [1]
    _rename_team(landing, "IS_Team_West", "インサイドセールス2課", "インサイドセールス西日本課", "20261003")
    assert _incremental_day(copy, landing, target) == [1]
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute(
            f"select rep_user_id, team_name from {speed_to_lead} where lead_id = ?", [lead_id]
        ).fetchall() == [(caller, "インサイドセールス西日本課")]
    _assert_a_full_build_agrees(copy, target, tmp_path)


OPPORTUNITY_INTERVALS = "intermediate.int_opportunity_history_intervals"


def _opportunity_row(landing: Path, opportunity_id: str) -> dict[str, str]:
    """The opportunity's row in the demo's snapshot file, as text."""
    [snapshot] = (landing / "opportunity").glob("*_full.csv")
    with snapshot.open(encoding="utf-8", newline="") as source:
        [row] = [row for row in csv.DictReader(source) if row["id"] == opportunity_id]
    return row


def _intervals_of(warehouse: Path, opportunity_id: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select valid_from, stage_name, amount from {OPPORTUNITY_INTERVALS} "
            "where opportunity_id = ? order by interval_number",
            [opportunity_id],
        ).fetchall()


def _visit_count(warehouse: Path, opportunity_id: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*) from intermediate.int_opportunity_stage_visits where opportunity_id = ?",
            [opportunity_id],
        ).fetchone()[0]


def test_a_late_history_row_and_a_deleted_opportunity_reach_the_history_intervals(
    incremental_build, demo_landing, tmp_path
):
    """One day brings a history row dated inside an opportunity's first interval (an
    extract that caught the change late: older than every interval held, so only the
    landing files tell) and the deletion of another opportunity: the first gains the
    state, the second's intervals leave, as a full build of the same files gives."""
    landing, copy, target = _copy_with_every_demo_file(incremental_build, demo_landing, tmp_path)
    with duckdb.connect(str(copy), read_only=True) as con:
        as_of = con.execute("select as_of_at from intermediate.int_as_of").fetchone()[0]
        changed, first_change_at = con.execute(
            f"select opportunity_id, valid_to from {OPPORTUNITY_INTERVALS} "
            "where interval_number = 1 and valid_to > valid_from + interval 1 day "
            "order by valid_to, opportunity_id limit 1"
        ).fetchone()
        history = con.execute(
            "select stage_name, amount, close_date, probability, forecast_category "
            "from staging.stg_crm__opportunity_history where opportunity_id = ? and not is_deleted "
            "order by created_at, opportunity_history_id limit 1",
            [changed],
        ).fetchone()
        [deleted] = con.execute(
            f"select min(opportunity_id) from {OPPORTUNITY_INTERVALS} "
            "where opportunity_id <> ? and opportunity_id in (select opportunity_id from "
            "staging.stg_crm__opportunities where modified_at < ? - interval 1 day)",
            [changed, as_of],
        ).fetchone()
    late_at = _salesforce_time(first_change_at - timedelta(hours=12))
    stage_name, amount, close_date, probability, forecast_category = history
    [history_template] = (landing / "opportunity_history").glob("*_full.csv")
    _write_record(
        landing / "opportunity_history" / "opportunity_history_20261002_delta.csv",
        history_template,
        {
            "id": "008900000000000001",
            "created_date": late_at,
            "system_modstamp": late_at,
            "last_modified_date": late_at,
            "is_deleted": "false",
            "opportunity_id": changed,
            "stage_name": stage_name,
            "amount": str(int(amount) + 1000),
            "close_date": close_date.isoformat(),
            "probability": "" if probability is None else str(int(probability)),
            "forecast_category": forecast_category or "",
        },
    )
    deletion = _opportunity_row(landing, deleted) | {
        "is_deleted": "true",
        "system_modstamp": _salesforce_time(as_of - timedelta(hours=1)),
        "last_modified_date": _salesforce_time(as_of - timedelta(hours=1)),
    }
    [opportunity_template] = (landing / "opportunity").glob("*_full.csv")
    _write_record(landing / "opportunity" / "opportunity_20261002_delta.csv", opportunity_template, deletion)
    before = _intervals_of(copy, changed)
    assert _incremental_day(copy, landing, target) == [1, 1]
    assert len(_intervals_of(copy, changed)) == len(before) + 1
    assert (int(amount) + 1000) in {interval_amount for _, _, interval_amount in _intervals_of(copy, changed)}
    assert _intervals_of(copy, deleted) == []
    assert _visit_count(copy, deleted) == 0
    _assert_a_full_build_agrees(copy, target, tmp_path)


def test_an_opportunity_created_after_the_as_of_instant_joins_when_the_instant_reaches_it(
    incremental_build, demo_landing, tmp_path
):
    """An opportunity whose record was last modified a month before it was created (clock
    skew at the source), created after the as-of instant: the intervals leave it out. A
    later day's call moves the instant past its creation; the opportunity never lands
    again, so only the watch for creations later than every interval held brings it in."""
    landing, copy, target = _copy_with_every_demo_file(incremental_build, demo_landing, tmp_path)
    with duckdb.connect(str(copy), read_only=True) as con:
        as_of = con.execute("select as_of_at from intermediate.int_as_of").fetchone()[0]
        template_id, lead_id, owner_id = con.execute(
            "select opportunity_id, (select min(lead_id) from staging.stg_crm__leads where not is_deleted), "
            "owner_user_id from staging.stg_crm__opportunities where not is_deleted and not is_closed "
            "order by opportunity_id limit 1"
        ).fetchone()
    skewed = "006900000000000001"
    opportunity = _opportunity_row(landing, template_id) | {
        "id": skewed,
        "created_date": _salesforce_time(as_of + timedelta(days=1)),
        "system_modstamp": _salesforce_time(as_of - timedelta(days=30)),
        "last_modified_date": _salesforce_time(as_of - timedelta(days=30)),
    }
    [opportunity_template] = (landing / "opportunity").glob("*_full.csv")
    _write_record(landing / "opportunity" / "opportunity_20261002_delta.csv", opportunity_template, opportunity)
    assert _incremental_day(copy, landing, target) == [1]
    assert _intervals_of(copy, skewed) == []  # created after the instant, which it did not move

    [task_template] = (landing / "task").glob("*_full.csv")
    _write_completed_call(
        landing / "task" / "task_20261003_delta.csv",
        task_template,
        "00T900000000000004",
        lead_id,
        owner_id,
        created=as_of + timedelta(days=2),
        modified=as_of + timedelta(days=2),
    )
    assert _incremental_day(copy, landing, target) == [1]
    assert len(_intervals_of(copy, skewed)) == 1
    assert _visit_count(copy, skewed) == 1
    _assert_a_full_build_agrees(copy, target, tmp_path)


def test_lead_grain_models_rebuilt_only_the_changed_leads(incremental_build):
    """The incremental build's work list holds the leads the delta touched (new, changed
    and deleted leads among them), not every lead."""
    warehouse, _ = incremental_build
    with duckdb.connect(str(warehouse), read_only=True) as con:
        listed = {lead for (lead,) in con.execute(f"select lead_id from {LEAD_CHANGES}").fetchall()}
        every_lead = con.execute("select count(*) from staging.stg_crm__leads").fetchone()[0]
        delta_leads = {
            lead
            for (lead,) in con.execute(
                "select lead_id from staging.stg_crm__leads where source_file_seq >= "
                "(select min(file_seq) from ingest.load_ledger where source_file like '%delta%')"
            ).fetchall()
        }
    assert delta_leads and delta_leads <= listed
    assert len(listed) < every_lead / 2


def test_changed_definitions_force_a_full_refresh(tmp_path):
    warehouse = tmp_path / "state.duckdb"
    fingerprint = definitions_fingerprint()
    assert needs_full_refresh(warehouse, fingerprint)  # no warehouse yet
    assert loaded_file_seq(warehouse) == 0
    record_build(warehouse, fingerprint, full_refresh=True, loaded_through_file_seq=0)
    assert not needs_full_refresh(warehouse, fingerprint)
    assert needs_full_refresh(warehouse, "another set of definitions")
