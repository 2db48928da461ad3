"""Applications: their own partition ``APPLICATION#<id>`` holding the record and its transitions.

- application: pk ``APPLICATION#<id>``, sk ``APPLICATION``; gsi1 ``PROVIDER#<pid>#APPLICATIONS`` /
  ``<service_id>``; gsi2 ``APPLICATIONS#<status>`` / ``<service_id>#<submitted or updated at>#<id>``;
- transition: pk ``APPLICATION#<id>``, sk ``TRANSITION#<at>#<seq>``;
- guard: pk ``PROVIDER#<pid>``, sk ``APPLIES#<service_id>`` (holds the application id).

- one application: GetItem; with its history: Query pk, begins_with ``TRANSITION#``;
- a provider's applications: Query gsi1; the municipality's queue: Query gsi2 (begins_with
  ``<service_id>#`` narrows it to one service, oldest first);
- the provider's application to a service: GetItem the guard, then GetItem the application.

Creating writes the application, its guard and its first transition in one transaction; every
change of state writes the application (conditioned on the version read) and its transition
(plus whatever else the caller passes, e.g. price lists approved with it) in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from seteli.domain.applications import Application, ApplicationStatus, Transition
from seteli.errors import Conflict, FieldError
from seteli.store import keys
from seteli.store.base import doc_item, from_doc, get_item, transact
from seteli.store.models import DocItem

KIND = "application"
TRANSITION_KIND = "application_transition"
GUARD_KIND = "application_guard"


def _queue_sk(app: Application) -> str:
    at = app.submitted_at if app.status == ApplicationStatus.submitted and app.submitted_at else app.updated_at
    return f"{app.service_id}#{at.isoformat()}#{app.id}"


def application_item(app: Application, version: int | None = None) -> DocItem:
    """The item of ``app``; ``version`` is the version read (None for a new application)."""
    return doc_item(
        keys.application_pk(app.id),
        keys.APPLICATION_SK,
        app,
        kind=KIND,
        version=version,
        gsi1pk=keys.provider_applications_gsi1pk(app.provider_id),
        gsi1sk=app.service_id,
        gsi2pk=keys.applications_by_status_gsi2pk(app.status.value),
        gsi2sk=_queue_sk(app),
    )


def transition_item(t: Transition) -> DocItem:
    doc = t.model_dump(mode="json", by_alias=True, exclude={"version"})
    return doc_item(
        keys.application_pk(t.application_id), keys.transition_sk(doc["at"], t.seq), doc, kind=TRANSITION_KIND
    )


def guard_item(app: Application) -> DocItem:
    return doc_item(
        keys.provider_pk(app.provider_id),
        keys.applies_sk(app.service_id),
        {"application_id": app.id, "provider_id": app.provider_id, "service_id": app.service_id},
        kind=GUARD_KIND,
    )


def stale(version: int) -> Conflict:
    return Conflict(
        f"the application changed meanwhile (you sent version {version}); read it again and repeat your change",
        [FieldError("body.version", "stale: read again")],
    )


class ApplicationRepository:
    def get(self, application_id: str) -> Application | None:
        item = get_item(DocItem, keys.application_pk(application_id), keys.APPLICATION_SK)  # GetItem
        return from_doc(Application, item) if item is not None else None

    def transitions(self, application_id: str) -> list[Transition]:
        """The history, oldest first (Query pk, begins_with TRANSITION#)."""
        rows = DocItem.query(
            keys.application_pk(application_id),
            DocItem.sk.startswith(keys.TRANSITION_PREFIX),
            consistent_read=True,
        )
        return [from_doc(Transition, r) for r in rows]

    def for_provider(self, provider_id: str) -> list[Application]:
        """Every application of the provider, by service (Query gsi1)."""
        rows = DocItem.gsi1.query(keys.provider_applications_gsi1pk(provider_id))
        return [from_doc(Application, r) for r in rows if r.kind == KIND]

    def queue(
        self,
        status: ApplicationStatus,
        *,
        service_id: str | None = None,
        limit: int = 50,
        start: dict[str, Any] | None = None,
    ) -> tuple[list[Application], dict[str, Any] | None]:
        """One page of the applications in ``status``, by service and time, oldest first (Query gsi2)."""
        condition = DocItem.gsi2sk.startswith(f"{service_id}#") if service_id else None
        rows = DocItem.gsi2.query(
            keys.applications_by_status_gsi2pk(status.value),
            condition,
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
        )
        out = [from_doc(Application, r) for r in rows if r.kind == KIND]
        return out, rows.last_evaluated_key

    def guard(self, provider_id: str, service_id: str) -> str | None:
        """The id of the provider's application to the service, or None (GetItem the guard)."""
        item = get_item(DocItem, keys.provider_pk(provider_id), keys.applies_sk(service_id))
        return json.loads(item.document).get("application_id") if item is not None else None

    def for_provider_service(self, provider_id: str, service_id: str) -> Application | None:
        """The provider's application to the service (GetItem the guard, then the application)."""
        app_id = self.guard(provider_id, service_id)
        return self.get(app_id) if app_id else None

    def create(self, app: Application, first: Transition, *, after_rejected: str | None = None) -> Application:
        """The application, its guard (one per provider and service) and its first transition.
        409 naming the existing application when the provider has applied to the service already.
        ``after_rejected``: the rejected application the guard points at; the new one takes its
        place (conditioned on the guard's version, so two new applications cannot both win)."""
        guard, new_guard = guard_item(app), True
        if after_rejected:
            current = get_item(DocItem, guard.pk, guard.sk)
            if current is not None and json.loads(current.document).get("application_id") == after_rejected:
                guard.version, new_guard = current.version, False
        try:
            transact(
                [(application_item(app), True), (guard, new_guard), (transition_item(first), True)],
                f"application {app.id} exists already",
            )
        except Conflict:
            existing = self.guard(app.provider_id, app.service_id)
            if existing:
                raise Conflict(
                    f"the provider has applied to service {app.service_id} already: application {existing}; "
                    "continue that one",
                    [FieldError("body.service_id", f"applied already (application {existing})")],
                ) from None
            raise
        return app.model_copy(update={"version": 1})

    def change(
        self, app: Application, transition: Transition | None = None, *, extra: Iterable[tuple[Any, bool]] = ()
    ) -> Application:
        """Save ``app`` conditioned on ``app.version`` (the version read) with its transition and the
        caller's ``extra`` items ((item, new) as ``seteli.store.base.transact`` takes them), atomically."""
        puts: list[tuple[Any, bool]] = [(application_item(app, version=app.version or None), False)]
        if transition is not None:
            puts.append((transition_item(transition), True))
        puts.extend(extra)
        try:
            transact(puts, "conflict")
        except Conflict:
            raise stale(app.version) from None
        return app.model_copy(update={"version": app.version + 1})

    def mark_email_failed(self, t: Transition) -> None:
        """Note on a stored transition that its email could not be sent (best effort)."""
        item = get_item(DocItem, keys.application_pk(t.application_id), transition_item(t).sk)
        if item is None:
            return
        doc = json.loads(item.document)
        doc["email_failed"] = True
        item.document = json.dumps(doc, ensure_ascii=False)
        item.save()
