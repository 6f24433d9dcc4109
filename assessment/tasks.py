"""Background tasks of the assessment, run by the worker (`manage.py db_worker`), never inside a web request."""

from __future__ import annotations

from django_tasks import task

from assessment import calibration_runs


@task()
def calibrate_items(min_answers: int) -> dict:
    """What `manage.py calibrate_items --min-answers N` does, started from the admin: returns the run's summary,
    or (outcome "unanchored") the competencies whose missing anchor kept it from running. Anything else that goes
    wrong fails the task, with the error kept in its result."""
    try:
        return calibration_runs.run(min_answers).summary()
    except calibration_runs.CalibrationFailed as failed:
        return {"outcome": "unanchored", "min_answers": min_answers, "competencies": failed.unanchored}
