"""The Seteli SDK: one class over httpx, one method per API operation, problem JSON as exceptions.

    from seteli_client.sdk import Seteli, SeteliApiError

    api = Seteli("https://api.example/prod", token=id_token)     # or api_key=...
    api = Seteli.from_local(token=id_token)                        # a local `make run`
    for s in api.public_services(lang="sv"):
        print(s["id"], s["name"])
    try:
        api.get_provider("prv-someone-else")
    except SeteliApiError as e:
        print(e.status, e.title, e.errors)

Adding an operation is one method on :class:`Seteli` that calls :meth:`Seteli.request` (JSON),
:meth:`Seteli.request_raw` (PDF, CSV) or :meth:`Seteli.paginate` (lists with ``limit``/``next``);
POSTs that a client may retry pass ``idempotent=True`` or ``idempotency_key=...``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from seteli_client import __version__ as _version
from seteli_client import auth, config

PROBLEM_JSON = "application/problem+json"
API_KEY_SCHEME = "ApiKey"  # Authorization: ApiKey seteli_<key_id>_<secret>


class SeteliError(Exception):
    """Base of the client's errors."""


class SeteliConnectionError(SeteliError):
    """The API could not be reached (no answer at all)."""


class NotSignedIn(SeteliError):
    """The operation needs a signed-in user (an ID token) or an API key, and there is none."""


class SeteliApiError(SeteliError):
    """A non-2xx answer: RFC 9457 problem JSON, or API Gateway's own ``{"message": ...}``."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        type: str = "about:blank",  # noqa: A002 - the problem JSON member is called type
        *,
        body: Any = None,
    ) -> None:
        self.status = int(status)
        self.title = title
        self.detail = detail
        self.errors = [
            {"field": str(e.get("field", "")), "message": str(e.get("message", ""))}
            for e in (errors or [])
            if isinstance(e, Mapping)
        ]
        self.type = type or "about:blank"
        self.body = body
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.status} {self.title}".rstrip()
        if self.detail and self.detail != self.title:
            head += f": {self.detail}"
        lines = [head]
        for e in self.errors:
            lines.append(f"  - {e['field']}: {e['message']}" if e["field"] else f"  - {e['message']}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": self.errors,
        }

    @classmethod
    def from_response(cls, res: httpx.Response) -> SeteliApiError:
        try:
            body = res.json() if res.content else None
        except ValueError:
            body = None
        reason = res.reason_phrase or _REASONS.get(res.status_code, "Error")
        if isinstance(body, dict) and ("title" in body or "status" in body or "type" in body or "errors" in body):
            errors = body.get("errors")
            return cls(
                res.status_code,
                str(body.get("title") or reason),
                body.get("detail"),
                errors if isinstance(errors, list) else None,
                str(body.get("type") or "about:blank"),
                body=body,
            )
        if isinstance(body, dict) and "message" in body:  # API Gateway's default gateway responses
            message = str(body.get("message") or "")
            return cls(res.status_code, reason, message if message != reason else None, body=body)
        text = res.text.strip()[:300] if res.content else None
        return cls(res.status_code, reason, text or None, body=res.text if res.content else None)


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _segment(value: str) -> str:
    """One path segment: ``a/b`` must never reach another resource."""
    return quote(str(value), safe="")


def signed_in_session(api_url: str | None = None, *, transport: httpx.BaseTransport | None = None) -> config.Session:
    """The session saved by ``seteli login``, its ID token refreshed (and saved) when it has expired.

    With ``api_url`` the session must be for that API: a token is never sent to another one.
    Raises :class:`NotSignedIn` when there is no usable session.
    """
    s = config.load_session()
    if s is None:
        raise NotSignedIn("Not signed in.")
    if api_url is not None and s.api_url.rstrip("/") != api_url.rstrip("/"):
        raise NotSignedIn(f"Signed in to {s.api_url}, not to {api_url.rstrip('/')}.")
    if not s.expired():
        return s
    if not (s.refresh_token and s.client_id):
        raise NotSignedIn("The session has expired.")
    with auth.Cognito(s.client_id, s.region, s.cognito_endpoint, transport=transport) as cognito:
        try:
            tokens = cognito.refresh(s.refresh_token)
        except auth.SessionExpired:
            raise NotSignedIn("The session has expired.") from None
        except auth.AuthError as exc:
            if exc.code == "ConnectionError":
                raise  # Cognito unreachable: not the user's sign-in's fault
            raise NotSignedIn(f"The session could not be renewed ({exc}).") from None
    s.id_token, s.expires_at = tokens.id_token, tokens.expires_at
    s.refresh_token = tokens.refresh_token or s.refresh_token
    config.save_session(s)
    return s


class Seteli:
    """A Seteli API. ``token`` is a Cognito ID token; ``api_key`` (providers' systems) replaces it."""

    def __init__(
        self,
        api_url: str,
        token: str | None = None,
        api_key: str | None = None,
        timeout: float = 10,
        *,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.api_key = api_key
        base_headers = {"Accept": f"application/json, {PROBLEM_JSON}", "User-Agent": f"seteli-client/{_version}"}
        if api_key:
            base_headers["Authorization"] = f"{API_KEY_SCHEME} {api_key.strip()}"
        elif token:
            base_headers["Authorization"] = f"Bearer {token}"
        base_headers.update(headers or {})
        self.http = httpx.Client(base_url=self.api_url, headers=base_headers, timeout=timeout, transport=transport)
        self.local: config.LocalInfo | None = None

    @classmethod
    def from_local(
        cls, state_dir: str | Path = config.LOCAL_STATE_DIR, token: str | None = None, **kwargs: Any
    ) -> Seteli:
        """The API of a local Seteli (``python -m local run`` writes ``<state_dir>/local.json``)."""
        info = config.load_local(state_dir)
        api = cls(info.api_url, token=token, **kwargs)
        api.local = info
        return api

    @classmethod
    def from_session(cls, api_url: str | None = None, **kwargs: Any) -> Seteli:
        """The API you signed in to with ``seteli login``, with that sign-in (refreshed when needed)."""
        s = signed_in_session(api_url, transport=kwargs.get("transport"))
        return cls(s.api_url, token=s.id_token, **kwargs)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Seteli:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ plumbing

    def request_raw(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        idempotency_key: str | None = None,
        idempotent: bool = False,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send a request; any non-2xx answer raises :class:`SeteliApiError`. Returns the response."""
        hdrs = dict(headers or {})
        if idempotency_key is None and idempotent:
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            hdrs["Idempotency-Key"] = idempotency_key
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            res = self.http.request(method.upper(), path, json=json, params=query, headers=hdrs, content=content)
        except httpx.TimeoutException as exc:
            raise SeteliConnectionError(f"{self.api_url} did not answer in time ({exc.__class__.__name__})") from exc
        except httpx.TransportError as exc:
            raise SeteliConnectionError(f"cannot reach {self.api_url}: {exc}") from exc
        if not res.is_success:
            raise SeteliApiError.from_response(res)
        return res

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        idempotency_key: str | None = None,
        idempotent: bool = False,
    ) -> Any:
        """Send a request and return the decoded JSON body (``None`` when there is none)."""
        res = self.request_raw(
            method, path, json, params, headers, idempotency_key=idempotency_key, idempotent=idempotent
        )
        if res.status_code == 204 or not res.content:
            return None
        if "json" in res.headers.get("content-type", "").lower():
            return res.json()
        return res.text

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, *, idempotency_key: str | None = None, idempotent: bool = False) -> Any:
        return self.request("POST", path, json, idempotency_key=idempotency_key, idempotent=idempotent)

    def patch(self, path: str, json: Any = None) -> Any:
        return self.request("PATCH", path, json)

    def put(self, path: str, json: Any = None) -> Any:
        return self.request("PUT", path, json)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None, *, limit: int | None = None
    ) -> Iterator[Any]:
        """Every item of a paged list: follows ``next`` until it is null. ``limit`` is the page size."""
        query = dict(params or {})
        if limit is not None:
            query["limit"] = limit
        seen: set[str] = set()
        while True:
            page = self.request("GET", path, params=query)
            if not isinstance(page, dict):
                raise SeteliError(f"GET {path} did not answer a page ({{items, next}})")
            yield from page.get("items") or []
            cursor = page.get("next")
            if not cursor:
                return
            if cursor in seen:
                raise SeteliError(f"GET {path} answered the same `next` cursor twice; stopping")
            seen.add(cursor)
            query["next"] = cursor

    # ------------------------------------------------------------ operations

    def health(self) -> dict[str, Any]:
        """``GET /v1/health``: status, tenant_id, version."""
        return self.request("GET", "/v1/health")

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document of the API (generated from the handlers)."""
        return self.request("GET", "/v1/openapi.json")

    def public_services(self, lang: str = "fi") -> list[dict[str, Any]]:
        """The tenant's services and their contents, names in ``lang`` (fi, sv, en)."""
        return list(self.paginate("/v1/public/services", {"lang": lang}))

    def get_provider(self, provider_id: str) -> dict[str, Any]:
        """A provider's company data and parts (a provider user sees only its own: 403 otherwise)."""
        return self.request("GET", f"/v1/providers/{_segment(provider_id)}")

    def whoami(self) -> dict[str, Any]:
        """Who you are: with an API key, the key as the API knows it (``auth`` ``api_key``, ``username``
        ``api key <name>``); with an ID token, its claims decoded locally (the API verifies them)."""
        if self.api_key:
            key = self.current_api_key()
            return {
                "auth": "api_key",
                "username": f"api key {key.get('name', '')}".rstrip(),
                "email": None,
                "subject": f"apikey:{key.get('id')}",
                "groups": ["provider_admin"],
                "provider_id": key.get("provider_id"),
                "key_id": key.get("id"),
                "expires_on": key.get("expires_on"),
            }
        if not self.token:
            raise NotSignedIn("no ID token or API key: sign in (`seteli login`), or pass token= or api_key=")
        return {**auth.identity(self.token), "auth": "cognito"}

    # ------------------------------------------------------------ API keys (a provider's own systems)

    def create_api_key(self, provider_id: str, name: str, expires_on: str) -> dict[str, Any]:
        """A new key (provider admin, signed in): the answer's ``key`` is shown only this once."""
        body = {"name": name, "expires_on": str(expires_on)}
        return self.request("POST", f"/v1/providers/{_segment(provider_id)}/api-keys", body)

    def list_api_keys(self, provider_id: str) -> list[dict[str, Any]]:
        """The provider's keys (never the keys themselves), revoked and expired ones included."""
        return list(self.paginate(f"/v1/providers/{_segment(provider_id)}/api-keys"))

    def revoke_api_key(self, provider_id: str, key_id: str) -> dict[str, Any]:
        """Revoke a key (kept for audit); it stops working within a minute."""
        return self.request("DELETE", f"/v1/providers/{_segment(provider_id)}/api-keys/{_segment(key_id)}")

    def current_api_key(self) -> dict[str, Any]:
        """The API key this client signs with, as the API knows it (id, name, provider, expiry)."""
        if not self.api_key:
            raise NotSignedIn("no API key: pass api_key= (or set SETELI_API_KEY)")
        return self.request("GET", "/v1/providers/api-keys/current")
