"""Strategy, guidelines, KPIs and goals. The models live in one module per part (`strategy`,
`guidelines`, …) and are imported here so Django finds them."""

from socialdesk.goals.goal_models import *  # noqa: F403
from socialdesk.goals.guideline_models import *  # noqa: F403
from socialdesk.goals.report_models import *  # noqa: F403
from socialdesk.goals.strategy_models import *  # noqa: F403
