"""The web application: pages (server-rendered, a little JS for the charts), the JSON API, sign-in, static assets.

Every route but /health, /login and /static needs a principal (access.py) with the route's permission: a request
without one gets 401, one whose role lacks the permission 403, and neither carries any data. The access log names
the route (its template, e.g. /customers/{customer_id}), never the path a client sent nor a query string or body,
so no identifier reaches it.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .access import LOCAL_USER, Principal, Tokens
from .charts import audience_charts, dashboard_charts
from .lookup import find, profile
from .snapshot import SnapshotHolder

COOKIE = "cdp_token"
MAX_FORM_BYTES = 4096
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
PACKAGE = resources.files(__package__)
access_log = logging.getLogger("cdp.serve.access")

Endpoint = Callable[[Request], Awaitable[Response]]


def _plotly_js() -> bytes:
    """plotly.min.js as the plotly wheel ships it, gzipped once."""
    return gzip.compress((resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes(), 6)


class AccessLog:
    """ASGI middleware: one log line per request with the route template, status, duration and principal name."""

    def __init__(self, app: ASGIApp, routes: list[Any]) -> None:
        self.app = app
        self.routes = routes

    def _template(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return getattr(route, "path", "?") + ("/…" if isinstance(route, Mount) else "")
        return "(no route)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            principal = scope.get("state", {}).get("principal")
            access_log.info(
                "%s %s %s %d %.1fms",
                principal.name if principal else "-",
                scope["method"],
                self._template(scope),
                status[0],
                (time.perf_counter() - started) * 1000,
            )


def when(value: Any) -> Any:
    """A timestamp as the pages show it, to the minute (2026-06-24 21:53); anything else unchanged."""
    if isinstance(value, str) and TIMESTAMP.match(value):
        return value[:16].replace("T", " ")
    return value


async def form_field(request: Request, name: str) -> str:
    """One field of a URL-encoded form (the pages' forms have one field each; a larger body is not read)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return ""
    values = parse_qs(body.decode("utf-8", errors="replace")).get(name)
    return values[0] if values else ""


def create_app(holder: SnapshotHolder, *, tokens: Tokens | None) -> Starlette:
    """The application over a snapshot holder; `tokens` None means no sign-in (loopback only, checked by server.py)."""
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.globals["open_access"] = tokens is None
    templates.env.filters["when"] = when
    plotly_js: list[bytes] = []

    def principal_of(request: Request) -> Principal | None:
        if tokens is None:
            return Principal(LOCAL_USER, "admin")
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else request.cookies.get(COOKIE)
        return tokens.principal(token)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def denied(request: Request, status: int) -> Response:
        if wants_json(request):
            response: Response = JSONResponse(
                {"error": "unauthorized" if status == 401 else "forbidden"}, status_code=status
            )
        else:
            response = templates.TemplateResponse(
                request, "denied.html", {"status": status, "principal": None}, status_code=status
            )
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="cdp"'
        return response

    def guarded(permission: str | None, endpoint: Callable[[Request, Principal], Awaitable[Response]]) -> Endpoint:
        """The endpoint for principals with `permission` (None: any signed-in principal)."""

        async def run(request: Request) -> Response:
            principal = principal_of(request)
            if principal is None:
                return denied(request, 401)
            request.state.principal = principal
            if permission is not None and not principal.may(permission):
                return denied(request, 403)
            return await endpoint(request, principal)

        return run

    def page(request: Request, name: str, principal: Principal, status: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(
            request,
            name,
            {"principal": principal, "status_info": holder.status(), **context},
            status_code=status,
        )

    def not_ready(request: Request, principal: Principal) -> Response:
        if wants_json(request):
            return JSONResponse({"error": "not ready", "detail": holder.last_error}, status_code=503)
        return page(request, "not_ready.html", principal, 503)

    async def home(request: Request, principal: Principal) -> Response:
        return RedirectResponse("/lookup" if principal.may("lookup") else "/dashboard", status_code=303)

    async def lookup_page(request: Request, principal: Principal) -> Response:
        snapshot = holder.snapshot
        if snapshot is None:
            return not_ready(request, principal)
        if request.method == "GET":
            return page(request, "lookup.html", principal)
        identifier = await form_field(request, "identifier")
        found = find(snapshot, identifier)
        if found is None:
            return page(request, "lookup.html", principal, 404, not_found=True, identifier=identifier)
        return RedirectResponse(f"/customers/{found.customer_id}", status_code=303)

    async def customer_page(request: Request, principal: Principal) -> Response:
        snapshot = holder.snapshot
        if snapshot is None:
            return not_ready(request, principal)
        document = profile(snapshot, request.path_params["customer_id"])
        if document is None:
            return page(request, "lookup.html", principal, 404, not_found=True, identifier="")
        return page(request, "customer.html", principal, customer=document)

    async def audiences_page(request: Request, principal: Principal) -> Response:
        snapshot = holder.snapshot
        if snapshot is None:
            return not_ready(request, principal)
        audiences = snapshot.audiences
        destinations = sorted({name for row in audiences["reach"] for name in row["destinations"]})
        return page(
            request,
            "audiences.html",
            principal,
            audiences=audiences,
            destinations=destinations,
            charts=audience_charts(audiences),
        )

    async def dashboard_page(request: Request, principal: Principal) -> Response:
        snapshot = holder.snapshot
        if snapshot is None:
            return not_ready(request, principal)
        return page(
            request,
            "dashboard.html",
            principal,
            dashboard=snapshot.dashboard,
            charts=dashboard_charts(snapshot.dashboard),
        )

    async def api_lookup(request: Request, principal: Principal) -> Response:
        snapshot = holder.snapshot
        if snapshot is None:
            return not_ready(request, principal)
        try:
            body = json.loads(await request.body())
            identifier = body["identifier"]
            if not isinstance(identifier, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'expected a JSON body {"identifier": "..."}'}, status_code=400)
        found = find(snapshot, identifier)
        if found is None:
            return JSONResponse({"error": "no customer found"}, status_code=404)
        document = snapshot.document(found.customer_id) or b"{}"
        matched = json.dumps({"identifier_type": found.identifier_type}).encode()
        return Response(b'{"matched":' + matched + b',"profile":' + document + b"}", media_type="application/json")

    async def api_customer(request: Request, principal: Principal) -> Response:
        snapshot = holder.snapshot
        if snapshot is None:
            return not_ready(request, principal)
        document = snapshot.document(request.path_params["customer_id"])
        if document is None:
            return JSONResponse({"error": "no customer found"}, status_code=404)
        return Response(document, media_type="application/json")

    async def api_status(request: Request, principal: Principal) -> Response:
        return JSONResponse({**holder.status(), "role": principal.role})

    async def health(request: Request) -> Response:
        return JSONResponse({"ready": holder.snapshot is not None})

    async def login(request: Request) -> Response:
        if tokens is None:
            return RedirectResponse("/", status_code=303)
        if request.method == "GET":
            return templates.TemplateResponse(request, "denied.html", {"status": 200, "principal": None})
        token = await form_field(request, "token")
        if tokens.principal(token) is None:
            return denied(request, 401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    async def plotly(request: Request) -> Response:
        if not plotly_js:
            plotly_js.append(_plotly_js())
        return Response(
            plotly_js[0],
            media_type="text/javascript",
            headers={"Content-Encoding": "gzip", "Cache-Control": "public, max-age=86400"},
        )

    routes = [
        Route("/", guarded(None, home)),
        Route("/lookup", guarded("lookup", lookup_page), methods=["GET", "POST"]),
        Route("/customers/{customer_id}", guarded("lookup", customer_page)),
        Route("/audiences", guarded("aggregates", audiences_page)),
        Route("/dashboard", guarded("aggregates", dashboard_page)),
        Route("/api/v1/lookup", guarded("lookup", api_lookup), methods=["POST"]),
        Route("/api/v1/customers/{customer_id}", guarded("lookup", api_customer)),
        Route("/api/v1/status", guarded(None, api_status)),
        Route("/health", health),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/static/plotly.min.js", plotly),
        Mount("/static", app=StaticFiles(directory=str(PACKAGE / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        holder.stop()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(_SecurityHeaders)
    app.add_middleware(AccessLog, routes=routes)
    return app


class _SecurityHeaders:
    """No caching of pages and API answers by browsers or proxies (they hold personal data), no framing, no sniffing,
    and a content security policy allowing only the app's own scripts and styles."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Content-Security-Policy"] = (
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
                )
                if not is_static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, add_headers)
