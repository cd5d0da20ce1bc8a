from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "socialdesk.wiki"
    label = "wiki"
    verbose_name = "Wiki"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from socialdesk.core import schedule
        from socialdesk.wiki import reminders, tasks

        # Reminders to review pages whose review date has come (WP3).
        schedule.every(schedule.REGULAR, tasks.remind_reviews, when=reminders.has_work)

        # Knowledge that stays: "Save as FAQ" on resolved conversations (WP1).
        from socialdesk.wiki import knowledge, replies

        knowledge.connect()
        replies.connect()  # saved replies follow their page, in the same transaction

        from socialdesk.accounts import handover
        from socialdesk.wiki import handover as wiki_handover

        handover.register(wiki_handover.owned_pages)
