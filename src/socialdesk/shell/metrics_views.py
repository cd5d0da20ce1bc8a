"""`/metrics`: the operator's figures for Prometheus, for a scraper with the token or from an
allowed network; never a page, never a sign-in.

The access table lists it as public (`access.PAGES`) because the token is the credential here,
as a signed link's is elsewhere. Every answer is plain text: a monitoring system has no use for
an HTML error page, and a 404 while the endpoint is off tells a scanner nothing more.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from socialdesk.shell import metrics

_PLAIN = "text/plain; charset=utf-8"


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Answer the metrics, or 404 while neither a token nor a network is set, or 401/403."""
    token, networks = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return HttpResponse("Not found.\n", status=404, content_type=_PLAIN)
    if not (_has_token(request, token) or _from_allowed_network(request, networks)):
        if not token:
            return HttpResponse("Not from an allowed network.\n", status=403, content_type=_PLAIN)
        response = HttpResponse("A bearer token is required.\n", status=401, content_type=_PLAIN)
        response["WWW-Authenticate"] = 'Bearer realm="socialdesk metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)


def _has_token(request: HttpRequest, token: str) -> bool:
    """Whether the request shows the token, compared in constant time."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _from_allowed_network(request: HttpRequest, networks: list[str]) -> bool:
    """Whether the request comes from one of the networks.

    The address is the one the connection came from. A request that came through a proxy
    (X-Forwarded-For) counts only with TRUST_X_FORWARDED_FOR, and then by the address that
    proxy saw (the last entry: the ones before it are whatever the client wrote); otherwise
    every request through a local proxy would look like it came from 127.0.0.1.
    """
    if not networks:
        return False
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        if not settings.TRUST_X_FORWARDED_FOR:
            return False
        address = forwarded.split(",")[-1].strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a server listening on [::] sees IPv4 clients as ::ffff:a.b.c.d
    return any(ip in ipaddress.ip_network(network) for network in networks)
