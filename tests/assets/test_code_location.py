"""`make nightly-on/off` switch what the UI shows (issue 16, point 7).

Dagster keeps a schedule's or sensor's on/off state per code location name. `make ui` runs `dg dev`, which
names the location from pyproject.toml (`code_location_name`, else the checkout folder's name); the switches
and the daemon load config/workspace.yaml. The test runs the switches' own commands (read from `make -n`)
against a fresh instance, then reads the states back from that instance through the workspace `dg dev`
builds, in a checkout folder whose name is not the location's.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster_dg_cli.cli.utils import create_temp_workspace_file
from dagster_dg_core.config import normalize_cli_config
from dagster_dg_core.context import DgContext

from assets.defs.automation import SCHEDULE_NAME, SENSOR_NAME
from tests.support import PROJECT

# Runs make, dg and a Dagster instance in subprocesses.
pytestmark = pytest.mark.integration

WORKSPACE = PROJECT / "config" / "workspace.yaml"


def workspace_location_name() -> str:
    (entry,) = yaml.safe_load(WORKSPACE.read_text(encoding="utf-8"))["load_from"]
    return entry["python_module"]["location_name"]


def ui_context(root: Path) -> DgContext:
    return DgContext.for_project_environment(root, normalize_cli_config({}, None))


def switch_commands(target: str) -> list[list[str]]:
    """The dagster commands `make <target>` runs (after installing)."""
    out = subprocess.run(["make", "-n", target], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    return [shlex.split(line) for line in out.splitlines() if " schedule " in line or " sensor " in line]


def ui_states(instance: dg.DagsterInstance, root: Path) -> dict[str, str]:
    """The on/off state of the schedule and the sensor as the UI of `make ui` reads them."""
    with (
        create_temp_workspace_file(ui_context(root)) as workspace,
        WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[workspace])) as process,
    ):
        context = process.create_request_context()
        (location,) = context.code_location_names
        repo = next(iter(context.get_code_location(location).get_repositories().values()))
        remote = {SCHEDULE_NAME: repo.get_schedule(SCHEDULE_NAME), SENSOR_NAME: repo.get_sensor(SENSOR_NAME)}
        return {
            name: r.get_current_instigator_state(
                instance.get_instigator_state(r.get_remote_origin_id(), r.selector_id)
            ).status.value
            for name, r in remote.items()
        }


def test_the_ui_and_the_workspace_file_name_the_location_alike():
    assert ui_context(PROJECT).code_location_name == workspace_location_name()


@pytest.fixture
def checkout(tmp_path) -> Path:
    """The project's configuration in a folder named like no location (a clone elsewhere)."""
    root = tmp_path / "some-other-checkout"
    root.mkdir()
    shutil.copy(PROJECT / "pyproject.toml", root / "pyproject.toml")
    for folder in ("assets", "dbt_like_sql"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_nightly_on_and_off_switch_what_the_ui_shows(tmp_path, checkout, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT / "config" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert ui_context(checkout).code_location_name == workspace_location_name() != checkout.name
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    with dg.DagsterInstance.get() as instance:
        assert set(ui_states(instance, checkout).values()) == {"STOPPED"}
        for command in switch_commands("nightly-on"):
            subprocess.run(command, cwd=PROJECT, env=env, check=True, capture_output=True)
        assert ui_states(instance, checkout) == {SCHEDULE_NAME: "RUNNING", SENSOR_NAME: "RUNNING"}
        for command in switch_commands("nightly-off"):
            subprocess.run(command, cwd=PROJECT, env=env, check=True, capture_output=True)
        assert set(ui_states(instance, checkout).values()) == {"STOPPED"}
