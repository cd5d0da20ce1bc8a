from django.apps import AppConfig

from socialdesk.core import schedule


class GoalsConfig(AppConfig):
    name = "socialdesk.goals"
    label = "goals"
    verbose_name = "Goals"

    def ready(self) -> None:  # imports here: the models are loaded only now
        # Guidelines: the one reminder to confirm a version, every minute (idempotent).
        from socialdesk.goals import guideline_tasks

        schedule.every(schedule.REGULAR, guideline_tasks.remind_to_confirm)

        # Goals: figures and status of each open goal, every GOALS_REFRESH_MINUTES.
        from socialdesk.goals import goal_tasks

        schedule.every(schedule.REGULAR, goal_tasks.refresh_goals)

        # PostgreSQL: the kept figures of the KPI page and the dashboards, warmed for readers.
        from socialdesk.goals import figure_warming

        schedule.every(schedule.REGULAR, goal_tasks.warm_kept_figures, when=figure_warming.due)

        # Reports: scheduled e-mails that are due, once per schedule and period.
        from socialdesk.goals import report_tasks

        schedule.every(schedule.REGULAR, report_tasks.send_reports)

        # The audit log names a goal's KPI by its label and its parameters by their values.
        from socialdesk.accounts import audit_text
        from socialdesk.goals import kpis

        audit_text.name_values(
            "kpi", lambda name: str(kpis.REGISTRY[name].label) if name in kpis.REGISTRY else name
        )
        audit_text.name_values(
            "params",
            lambda params: (
                ", ".join(str(v) for v in params.values())
                if isinstance(params, dict)
                else str(params)
            ),
        )

        # The hand-over list of a person who leaves names the goals they own.
        from socialdesk.accounts import handover
        from socialdesk.goals import handover as goals_handover

        handover.register(goals_handover.owned_goals)
