"""Background tasks of the assessment, run by the worker (`manage.py db_worker`), never inside a web request."""

from __future__ import annotations

from django_tasks import task

from assessment import calibration_runs


@task()
def calibrate_items(min_answers: int) -> dict:
    """What `manage.py calibrate_items --min-answers N` does, started from the admin: returns the run's summary.
    A question bank that cannot be calibrated fails the task, with the reason as its error."""
    return calibration_runs.run(min_answers).summary()
