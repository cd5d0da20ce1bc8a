from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "socialdesk.spaces"
    label = "spaces"
    verbose_name = "Spaces"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from socialdesk.core import schedule
        from socialdesk.spaces import digest, tasks

        schedule.every(schedule.REGULAR, tasks.send_digests, when=digest.pending)

        from socialdesk.accounts import handover
        from socialdesk.spaces import handover as spaces_handover

        handover.register(spaces_handover.sole_owner_rooms)
