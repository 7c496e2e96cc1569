"""The demo's directory: contacts whose extensions the demo PBX answers, busy or not, and groups."""

from __future__ import annotations

from console.demo_dispatch import seed_demo_contacts
from console.services import Services


def test_demo_contacts_and_groups_are_seeded_once(sqlite_url: str) -> None:
    services = Services.open(sqlite_url)
    try:
        seed_demo_contacts(services)
        seed_demo_contacts(services)  # a second start adds nothing
        contacts = services.contacts.search()
        assert len(contacts) == 10
        assert all(len(c.phones) == 2 for c in contacts)
        groups = {g.name: g for g in services.contacts.groups()}
        assert set(groups) == {"防汛抗旱指挥部成员", "值班领导", "应急联动单位"}
        flood = services.calls.targets(group_id=groups["防汛抗旱指挥部成员"].id)
        # The demo PBX answers 800x, is busy on 8666 and does not answer 8777: every outcome.
        assert [t.number for t in flood] == ["8001", "8666", "8777", "8003", "8005"]
        caller = services.contacts.history("13904310004")
        assert caller.contact is not None
        assert caller.contact.name == "赵敏"
    finally:
        services.close()
