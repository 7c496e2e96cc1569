"""The demo's warnings: one in force in red, an exercise in blue, a draft waiting for approval.

``seed_demo_warnings`` runs once (only while no warning exists) after the demo roster exists:
the leader of the shift on duty approves, an officer of that shift drafts and publishes, as in
a real duty room. Texts are fictitious. The 预警 dock's screenshot
(``tests/gui/warnings_screenshot.py``) issues the same warnings with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from console.domain.warnings import WarningDraft
from console.services import Services
from console.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoWarnings:
    """The ids of the warnings the demo issued."""

    red: int  # 暴雨红色预警, approved and published
    drill: int  # 森林火险蓝色预警, an exercise, approved and published
    draft: int  # 地质灾害橙色预警, a draft waiting for approval


def seed_demo_warnings(services: Services) -> DemoWarnings | None:
    """Issue the demo's warnings, unless warnings exist or nobody leads the shift on duty.

    Returns what was issued (None when nothing was).
    """
    if services.warnings.page(limit=1):
        return None
    shift = services.people.shift_at()
    if shift is None or not shift.leaders or not shift.officers:
        return None
    names = {u.id: u.username for u in services.people.users()}
    leader = names[shift.leaders[0].user_id]
    officer = names[shift.officers[0].user_id]
    now = utcnow()
    red = services.warnings.create(
        officer,
        WarningDraft(
            level=1,
            event="暴雨",
            headline="长春市暴雨红色预警（演示）",
            expires=now + timedelta(hours=12),
            onset=now - timedelta(minutes=30),
            description="过去 3 小时南关区、朝阳区降雨量已达 100 毫米以上，降雨仍将持续。",
            instruction="停止集会、停课、停业；转移低洼地带和危险地带人员。",
            area_codes=("220102", "220104"),
            audience="社会公众",
            urgency="Immediate",
            certainty="Observed",
        ),
    )
    red = services.warnings.approve(leader, red.id, red.version)
    services.warnings.publish(officer, red.id, red.version)
    drill = services.warnings.create(
        officer,
        WarningDraft(
            level=4,
            event="森林火险",
            headline="延边州森林火险蓝色预警（演习）",
            expires=now + timedelta(days=2),
            area_codes=("222401", "222426"),
            instruction="严禁野外用火。",
            category="Fire",
            exercise=True,
        ),
    )
    drill = services.warnings.approve(leader, drill.id, drill.version)
    services.warnings.publish(officer, drill.id, drill.version)
    draft = services.warnings.create(
        officer,
        WarningDraft(
            level=2,
            event="地质灾害",
            headline="白山市地质灾害气象风险橙色预警（演示）",
            expires=now + timedelta(hours=24),
            onset=now + timedelta(hours=1),
            description="受持续降雨影响，浑江区、抚松县发生崩塌、滑坡的气象风险高。",
            instruction="加强隐患点巡查，必要时组织群众转移。",
            area_codes=("220602", "220621"),
            audience="白山市及有关县（市、区）应急管理局",
            category="Geo",
            scope="Restricted",
            restriction="仅限各级应急管理部门",
        ),
    )
    log.info("demo warnings issued")
    return DemoWarnings(red=red.id, drill=drill.id, draft=draft.id)
