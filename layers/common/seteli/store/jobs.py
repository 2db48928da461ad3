"""Runs of the monthly jobs: ``JOBRUN#<run id>`` holds the run (sk ``RUN``) and its pages
(sk ``PAGE#<n>``: the providers of the page and, once done, what it did). One GetItem or one Query.

A page's report is overwritten when the page runs again, so a run's sums never count a page twice.
"""

from __future__ import annotations

import json

from seteli.domain.settlement import JobRun, PageReport
from seteli.errors import Conflict
from seteli.store import keys
from seteli.store.base import doc_item, from_doc, get_item, save
from seteli.store.models import DocItem

RUN = "job_run"
PAGE = "job_page"


def _run_item(run: JobRun) -> DocItem:
    return doc_item(keys.job_run_pk(run.id), keys.JOB_RUN_SK, run, kind=RUN, version=run.version or None)


def _page_item(run_id: str, page: int, providers: list[str], report: PageReport | None) -> DocItem:
    doc = {"providers": providers, "report": report.model_dump(mode="json") if report else None}
    return doc_item(keys.job_run_pk(run_id), keys.job_page_sk(page), doc, kind=PAGE)


class JobRunRepository:
    def get(self, run_id: str) -> JobRun | None:
        item = get_item(DocItem, keys.job_run_pk(run_id), keys.JOB_RUN_SK)
        return from_doc(JobRun, item) if item is not None else None

    def pages(self, run_id: str) -> dict[int, tuple[list[str], PageReport | None]]:
        """Every page of the run: its providers and its report (None: not done). One Query."""
        out: dict[int, tuple[list[str], PageReport | None]] = {}
        rows = DocItem.query(keys.job_run_pk(run_id), DocItem.sk.startswith(keys.JOB_PAGE_PREFIX), consistent_read=True)
        for row in rows:
            doc = json.loads(row.document)
            n = int(row.sk.removeprefix(keys.JOB_PAGE_PREFIX))
            out[n] = (doc["providers"], PageReport.model_validate(doc["report"]) if doc["report"] else None)
        return out

    def page(self, run_id: str, page: int) -> tuple[list[str], PageReport | None] | None:
        item = get_item(DocItem, keys.job_run_pk(run_id), keys.job_page_sk(page))
        if item is None:
            return None
        doc = json.loads(item.document)
        return doc["providers"], PageReport.model_validate(doc["report"]) if doc["report"] else None

    def start(self, run: JobRun, pages: list[list[str]], old_pages: int = 0) -> JobRun:
        """Save a new run (or a run started again: conditioned on the version read) and its pages
        (BatchWrite; a page left over from an earlier, longer plan is deleted). 409 when another
        start won meanwhile."""
        conflict = f"the {run.job} run {run.id} was started meanwhile"
        with DocItem.batch_write() as batch:
            for n, providers in enumerate(pages):
                batch.save(_page_item(run.id, n, providers, None))
            for n in range(len(pages), old_pages):
                batch.delete(DocItem(keys.job_run_pk(run.id), keys.job_page_sk(n)))
        version = save(_run_item(run), conflict, new=not run.version)
        return run.model_copy(update={"version": version})

    def page_done(self, run_id: str, page: int, providers: list[str], report: PageReport) -> None:
        _page_item(run_id, page, providers, report).save()

    def finish(self, run: JobRun) -> JobRun | None:
        """Save the run as done (conditioned on its version); None when another page finished it."""
        try:
            version = save(_run_item(run), "finished meanwhile")
        except Conflict:
            return None
        return run.model_copy(update={"version": version})
