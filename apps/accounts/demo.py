"""The demo accounts the README lists: staff of the seeded authorities, a proponent and an administrator."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.governance.demo import DEMO_PASSWORD, PROPONENT_ORGANISATION
from apps.governance.models import Authority, Membership, ProponentOrganisation, Role

from .models import Profile

# username → (jurisdiction code of the authority, role)
DEMO_STAFF = {
    "sabah.reviewer": ("MY-12", Role.REVIEWER),
    "sabah.approver": ("MY-12", Role.APPROVER),
    "sabah.supervisor": ("MY-12", Role.SUPERVISOR),
    "sarawak.approver": ("MY-13", Role.APPROVER),
    "federal.approver": ("MY", Role.APPROVER),
    "federal.supervisor": ("MY", Role.SUPERVISOR),
    "indonesia.approver": ("ID", Role.APPROVER),
    "thailand.approver": ("TH", Role.APPROVER),
    "vietnam.approver": ("VN", Role.APPROVER),
    "zimbabwe.approver": ("ZW", Role.APPROVER),
    # The acquiring side: Switzerland's FOEN, the Japanese side of the JCM, Korea's ministry.
    "switzerland.approver": ("CH", Role.APPROVER),
    "japan.approver": ("JP", Role.APPROVER),
    "korea.approver": ("KR", Role.APPROVER),
}
# Invented names, so that letters, notes and e-mails name people as they would with real staff.
DEMO_STAFF_NAMES = {
    "sabah.reviewer": ("Farah", "Gimbang"),
    "sabah.approver": ("Aminah", "Binti Yusof"),
    "sabah.supervisor": ("Jeffrey", "Lajungan"),
    "sarawak.approver": ("Lina", "Anak Jugah"),
    "federal.approver": ("Hafiz", "Bin Rahman"),
    "federal.supervisor": ("Mei Ling", "Tan"),
    "indonesia.approver": ("Dewi", "Santoso"),
    "thailand.approver": ("Somchai", "Wongsuwan"),
    "vietnam.approver": ("Thi Lan", "Nguyen"),
    "zimbabwe.approver": ("Tendai", "Moyo"),
    "switzerland.approver": ("Anna", "Keller"),
    "japan.approver": ("Haruto", "Sato"),
    "korea.approver": ("Ji-woo", "Park"),
}

# Invented job titles, printed under the name on the letters each approver signs.
DEMO_STAFF_TITLES = {
    "sabah.reviewer": "Forest Carbon Officer",
    "sabah.approver": "Deputy Chief Conservator of Forests",
    "sabah.supervisor": "Chief Conservator of Forests",
    "sarawak.approver": "Senior Assistant Director of Forests",
    "federal.approver": "Undersecretary, Climate Change Division",
    "federal.supervisor": "Deputy Secretary General (Environment)",
    "indonesia.approver": "Director of Climate Change Mitigation",
    "thailand.approver": "Director, Carbon Credit Certification Office",
    "vietnam.approver": "Head of the Carbon Market Unit",
    "zimbabwe.approver": "Director, Carbon Markets",
    "switzerland.approver": "Head of Section, International Carbon Markets",
    "japan.approver": "Director, JCM Secretariat",
    "korea.approver": "Director, International Carbon Markets",
}


@transaction.atomic
def seed_demo_accounts() -> list[str]:
    """The demo accounts the README lists (password `demo`); existing accounts keep their password."""
    User = get_user_model()
    created = []

    def account(username: str, **extra) -> object:
        user, was_created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.tierflow.test", **extra})
        if was_created:
            user.set_password(DEMO_PASSWORD)  # deliberately below the validators: demo only, refused unless DEBUG or --force
            user.save(update_fields=["password"])
            created.append(username)
        return user

    account("admin", is_staff=True, is_superuser=True)
    proponent = account("proponent", first_name="Project", last_name="Developer")
    organisation, _ = ProponentOrganisation.objects.get_or_create(name=PROPONENT_ORGANISATION, defaults={"country": "MYS"})
    organisation.members.add(proponent)
    for username, (jurisdiction, role) in DEMO_STAFF.items():
        first_name, last_name = DEMO_STAFF_NAMES[username]
        user = account(username, first_name=first_name, last_name=last_name)
        # The language stays unchosen (""): the first sign-in takes the browser's, as for any new account.
        Profile.objects.get_or_create(user=user, defaults={"language": "", "title": DEMO_STAFF_TITLES[username]})
        Membership.objects.get_or_create(user=user, authority=Authority.objects.get(jurisdiction_id=jurisdiction), role=role)
    return created
