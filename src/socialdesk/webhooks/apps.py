from django.apps import AppConfig

from socialdesk.core import crypto, events, schedule


class WebhooksConfig(AppConfig):
    name = "socialdesk.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.webhooks import delivery, services, tasks

        events.listen(services.wants, services.record_events)
        crypto.on_rotate(services.rotate_keys)
        # Every second when something is due and no delivery task waits yet.
        schedule.every(
            schedule.PROMPT,
            tasks.deliver_webhooks,
            when=lambda: delivery.anything_due() and tasks.none_queued(),
        )
        schedule.every(schedule.REGULAR, tasks.prune_webhook_log)
