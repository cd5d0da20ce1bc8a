"""Background work of imports started in the browser (inbox/import_services.py)."""

from __future__ import annotations

from django.tasks import task

from socialdesk.inbox.import_services import import_job_run


@task()
def run_import_job(job_id: int) -> str:
    job = import_job_run(job_id=job_id)
    return job.state if job is not None else "taken"
