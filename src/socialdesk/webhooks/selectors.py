"""Who may see which subscriptions and deliveries: only admins (they carry the company's data)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import Role, User
from socialdesk.webhooks.models import Delivery, DeliveryState, Subscription


def _visible(user: User) -> QuerySet[Subscription]:
    if not user.is_active or user.role != Role.ADMIN:
        return Subscription.objects.none()
    return Subscription.objects.all()


def subscriptions_for(user: User) -> QuerySet[Subscription]:
    """With their waiting and given-up deliveries counted (the list and the page show them)."""
    return _visible(user).annotate(
        waiting=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        given_up=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    )


def subscription_for(user: User, pk: int) -> Subscription:
    subscription = subscriptions_for(user).filter(pk=pk).first()
    if subscription is None:
        raise Http404
    return subscription


def deliveries_for(user: User, subscription: Subscription, state: str = "") -> QuerySet[Delivery]:
    """The delivery log of one subscription, newest event first."""
    # The rule alone: the counts of every delivery are not needed to read one page of them.
    deliveries = Delivery.objects.filter(subscription__in=_visible(user).filter(pk=subscription.pk))
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries.select_related("event").defer("event__body").order_by("-created_at", "-pk")


def delivery_for(user: User, subscription: Subscription, pk: int) -> Delivery:
    delivery = deliveries_for(user, subscription).filter(pk=pk).first()
    if delivery is None:
        raise Http404
    return delivery
