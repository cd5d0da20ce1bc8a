"""The endpoint networks push to: one per channel account."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.webhook.receiver import SignatureError, accept, verify
from socialdesk.core.http import for_machines

MAX_BODY = 2 * 1024 * 1024


@for_machines
@csrf_exempt  # authenticated by the HMAC signature, not by a session
@require_POST
def deliver(request: HttpRequest, pk: int) -> JsonResponse:
    """Verify and keep a delivery: 202 with what was accepted, 401 when not signed."""
    account = ChannelAccount.objects.filter(pk=pk, network=Network.WEBHOOK).first()
    if account is None:
        return JsonResponse({"error": "no such webhook"}, status=404)
    length = (request.headers.get("Content-Length") or "0").strip()
    if not length.isascii() or not length.isdigit():
        return JsonResponse({"error": "Content-Length is not a number of bytes"}, status=400)
    if int(length[:12]) > MAX_BODY:  # 12 digits are beyond any limit; int() stays cheap
        return JsonResponse(
            {"error": f"the body is larger than {MAX_BODY // 1024} KiB"}, status=413
        )
    body = request.body
    try:
        verify(account, body, request.headers.get("X-Hub-Signature-256"))
    except SignatureError as error:
        return JsonResponse({"error": str(error)}, status=401)
    try:
        delivery = accept(account, body)
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    if not delivery.stored:
        reason = (
            {"error": "no item could be read"}
            if delivery.rejected
            else {"error": "the delivery holds no items"}
        )
        return JsonResponse({**reason, "rejected": delivery.rejected}, status=400)
    return JsonResponse({"accepted": delivery.stored, "rejected": delivery.rejected}, status=202)
