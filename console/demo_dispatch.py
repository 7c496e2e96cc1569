"""The demo's dispatch directory: contacts with extensions the demo PBX answers, and call groups.

Each contact's first number is an extension of the demo PBX (``devices.sim.ami``: 8001–8009
answer, 8666 is busy, 8777 does not answer), so a group call in the demo shows every outcome;
the mobile numbers are the ones the demo's simulated callers ring in from, so their pop-up
shows who is calling and their history.
"""

from __future__ import annotations

from console.domain import ContactDraft, PhoneNumber
from console.services import Services

SETUP_ACTOR = "system"

#: unit, post, name, extension at the demo PBX, mobile
CONTACTS = (
    ("吉林省应急管理厅", "厅长", "王建华", "8001", "13904310001"),
    ("吉林省应急管理厅", "副厅长", "刘志强", "8002", "13904310002"),
    ("长春市应急管理局", "局长", "陈立军", "8003", "13904310003"),
    ("长春市应急管理局", "值班科长", "赵敏", "8004", "13904310004"),
    ("吉林市应急管理局", "局长", "孙海涛", "8005", "13904310005"),
    ("吉林省水利厅", "防汛办主任", "周国庆", "8666", "13904310006"),
    ("吉林省气象局", "首席预报员", "吴晓东", "8777", "13904310007"),
    ("吉林省消防救援总队", "指挥中心主任", "郑伟", "8006", "13904310008"),
    ("吉林省公安厅", "指挥中心值班长", "冯磊", "8007", "13904310009"),
    ("国网吉林省电力公司", "调度值班长", "何静", "8008", "13904310010"),
)
#: group name → member names in calling order
GROUPS = {
    "防汛抗旱指挥部成员": ("王建华", "周国庆", "吴晓东", "陈立军", "孙海涛"),
    "值班领导": ("王建华", "刘志强"),
    "应急联动单位": ("郑伟", "冯磊", "何静", "赵敏"),
}


def seed_demo_contacts(services: Services) -> None:
    """Add the demo's contacts and call groups to a directory that has no contact yet."""
    if services.contacts.search(include_inactive=True):
        return
    ids: dict[str, int] = {}
    for unit, title, name, extension, mobile in CONTACTS:
        draft = ContactDraft(
            name=name,
            unit=unit,
            title=title,
            phones=(PhoneNumber("内线", extension), PhoneNumber("手机", mobile)),
        )
        ids[name] = services.contacts.add(SETUP_ACTOR, draft).id
    for group, members in GROUPS.items():
        services.contacts.add_group(SETUP_ACTOR, group, [ids[m] for m in members])
