"""The site's public page types and the data that gives each one content, for the
browser tests. One list, so screenshots, axe and the HTML checker cover the same pages."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cooperation.models import Agreement, AgreementLink
from core.models import Country, Status, Theme
from editorial.roles import setup_roles
from editorial.seeding import load_starter_data
from policies.models import Provision

XI = "/directives/xi-2019-emergency-management/"
EDITOR_PASSWORD = "a-long-test-password-for-the-editor"

PUBLIC_PAGES = {
    "home": "/",
    "theme-list": "/themes/",
    "theme": "/themes/international-cooperation/",
    "directive-list": "/directives/?kind=speech",
    "directive": XI,
    "provision": XI + "p3/",
    "agreement-list": "/agreements/",
    "agreement": "/agreements/china-nepal-disaster-prevention-mou/",
    "mechanism-list": "/mechanisms/",
    "mechanism": "/mechanisms/belt-and-road-disaster-prevention-emergency-management-mechanism/",
    "country-list": "/countries/",
    "country": "/countries/np/",
    "source": "/sources/xu-meng-belt-and-road-emergency-cooperation/",
    "tag": "/tags/rescue-teams/",
    "search": "/search/?q=rescue+teams&theme=emergency-management-system",
    "timeline": "/timeline/",
    "not-found": "/no-such-page/",
    "chinese-home": "/zh-hans/",
    "data": "/data/",
}


def build_site():
    """The starter data plus one illustrative agreement (marked as test data in its
    title), so that agreement and country pages have content; and an editor."""
    load_starter_data()
    setup_roles()
    agreement = Agreement.objects.create(
        title="Test agreement: China–Nepal MoU on disaster prevention",
        slug="china-nepal-disaster-prevention-mou",
        kind=Agreement.Kind.MOU,
        signed_on=datetime.date(2019, 4, 25),
        status=Status.PUBLISHED,
    )
    agreement.party_countries.set(Country.objects.filter(code__in=["CN", "NP"]))
    agreement.themes.set(Theme.objects.filter(slug="belt-and-road"))
    AgreementLink.objects.create(
        agreement=agreement,
        provision=Provision.objects.get(directive__slug="xi-2019-emergency-management", number=2),
        note="Joint training of rescue teams",
    )
    editor = get_user_model().objects.create_user(
        username="editor", password=EDITOR_PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editor"))
    return editor
