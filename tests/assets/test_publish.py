"""A materialization that changes the build file reaches analysts (issue 16, point 8).

A run of the whole graph publishes as its last step; a run of one asset from the UI does not. The publish
asset's automation condition (evaluated by the sensor `publish_after_build`) then asks for a publish, and
only then: not after a run that published, not while nothing changed, not after a failed dependency.
"""

from __future__ import annotations

import dagster as dg
import pytest

from assets.definitions import defs
from assets.defs.publish import FRESHNESS_DEADLINE, PUBLISH_KEY, PUBLISH_SENSOR
from tests.support.nightly_support import SAMPLE_FILES, SAMPLES, Warehouse, selection_keys

# What a UI user materializes to see a new report in dim_report: everything up to it, but not publish.
UP_TO_DIM_REPORT = ("raw/report_files", "parsed/*", "loaded/*", "dim_report")


@pytest.fixture
def story(tmp_path, monkeypatch):
    wh = Warehouse(tmp_path)
    wh.land_samples(SAMPLE_FILES[:2])
    for key, value in wh.env().items():
        monkeypatch.setenv(key, value)
    definitions = defs()
    with dg.DagsterInstance.ephemeral() as instance:
        yield wh, definitions, instance


def run(definitions: dg.Definitions, instance: dg.DagsterInstance, selection=None) -> dg.ExecuteInProcessResult:
    job = definitions.resolve_implicit_global_asset_job_def()
    keys = selection_keys(definitions, selection) if selection else None
    return job.execute_in_process(instance=instance, asset_selection=keys, raise_on_error=False)


def requested(tick) -> set[dg.AssetKey]:
    """The assets a tick of the automation sensor asks to run."""
    return {PUBLISH_KEY} if tick.get_num_requested(PUBLISH_KEY) else set()


@pytest.mark.integration
def test_the_publish_sensor_is_on_by_default(story):
    _, definitions, _ = story
    sensor = definitions.resolve_sensor_def(PUBLISH_SENSOR)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


@pytest.mark.integration
def test_publish_follows_a_single_asset_materialization(story):
    wh, definitions, instance = story
    assert run(definitions, instance).success  # the whole graph, publish last
    tick = dg.evaluate_automation_conditions(definitions, instance)
    tick = dg.evaluate_automation_conditions(definitions, instance, cursor=tick.cursor)
    assert requested(tick) == set() and tick.total_requested == 0  # the whole run published: nothing pending

    (wh.raw / SAMPLE_FILES[2]).write_bytes((SAMPLES / SAMPLE_FILES[2]).read_bytes())
    assert run(definitions, instance, UP_TO_DIM_REPORT).success
    assert wh.one("select count(*) from dim_report") == 2  # the build changed, the published file did not
    tick = dg.evaluate_automation_conditions(definitions, instance, cursor=tick.cursor)
    assert requested(tick) == {PUBLISH_KEY}

    assert run(definitions, instance, ["publish/warehouse"]).success  # what the sensor's run does
    assert wh.one("select count(*) from dim_report") == 3
    tick = dg.evaluate_automation_conditions(definitions, instance, cursor=tick.cursor)
    assert requested(tick) == set()  # handled: no second publish

    assert run(definitions, instance, ["marts/penalties_by_body_year"]).success  # one mart alone
    tick = dg.evaluate_automation_conditions(definitions, instance, cursor=tick.cursor)
    assert requested(tick) == {PUBLISH_KEY}


@pytest.mark.integration
def test_a_failed_dependency_is_never_published(story, monkeypatch):
    wh, definitions, instance = story
    assert run(definitions, instance).success
    tick = dg.evaluate_automation_conditions(definitions, instance)
    (wh.raw / SAMPLE_FILES[2]).write_bytes((SAMPLES / SAMPLE_FILES[2]).read_bytes())
    assert run(definitions, instance, UP_TO_DIM_REPORT).success
    monkeypatch.setenv("RAW_DIR", str(wh.root / "missing"))  # the next run's first step fails
    broken = defs()
    assert not run(broken, instance, UP_TO_DIM_REPORT).success
    tick = dg.evaluate_automation_conditions(broken, instance, cursor=tick.cursor)
    assert requested(tick) == set()


# ------------------------------------------------------------------------------------------------
# Freshness: the published warehouse is expected every night (issue 16, point 9)
# ------------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_the_published_warehouse_is_expected_every_night():
    spec = {s.key: s for s in defs().resolve_all_asset_specs()}[PUBLISH_KEY]
    assert spec.freshness_policy is not None and FRESHNESS_DEADLINE == "0 4 * * *"
