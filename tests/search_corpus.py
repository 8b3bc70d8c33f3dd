"""A small corpus for the search tests: what each test searches for is here once."""

import datetime

from core.models import Status
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_provision,
    make_source,
    make_theme,
)


def build_corpus():
    management = make_theme(name="Emergency management", slug="management")
    rescue = make_theme(name="Rescue forces", slug="rescue-forces", parent=management)
    cooperation = make_theme(name="International cooperation", slug="cooperation")
    nepal = make_country()
    pakistan = make_country(code="PK", name="Pakistan")

    teams = make_directive(
        title="Opinions on volunteer rescue teams",
        slug="volunteer-rescue-teams",
        title_original="关于志愿救援队伍的意见",
        summary="Local governments shall support volunteers who take part in disaster relief.",
        summary_original="地方政府应当支持参与救灾的志愿者。应急管理部门负责协调。",
        date=datetime.date(2019, 11, 29),
        themes=[rescue],
    )
    teams.tags.add("volunteers")
    rescuing = make_provision(
        teams,
        number=1,
        heading="Training units",
        text="Joint training for rescuing people from collapsed buildings after earthquakes.",
        text_original="开展联合训练。",
    )
    rescuing.themes.set([rescue])
    make_provision(
        teams, number=2, text="Prevent risks at the source before they become disasters."
    )
    plan = make_directive(
        title="National plan for risk prevention",
        slug="risk-plan",
        summary="A plan on risk prevention. Rescue is mentioned once in the body only.",
        date=datetime.date(2021, 3, 1),
        themes=[management],
    )
    draft = make_directive(
        title="Secret draft on rescue teams",
        slug="secret-draft",
        summary="Unpublished rescue teams text.",
        status=Status.DRAFT,
        themes=[rescue],
    )
    draft.tags.add("volunteers")
    make_provision(draft, number=1, text="Draft provision about rescue teams.")

    earthquake = make_agreement(
        title="Memorandum on earthquake rescue cooperation",
        slug="nepal-earthquake",
        title_original="中尼地震救援合作谅解备忘录",
        summary="China and Nepal will hold joint rescue drills.",
        signed_on=datetime.date(2018, 5, 10),
        countries=[nepal],
        themes=[cooperation],
    )
    earthquake.tags.add("earthquakes")
    flood = make_agreement(
        title="Agreement on flood early warning",
        slug="pakistan-flood",
        summary="Sharing of flood forecasts between the two countries.",
        signed_on=datetime.date(2021, 8, 2),
        countries=[pakistan],
        themes=[cooperation],
    )
    mechanism = make_mechanism(
        name="Belt and Road disaster prevention mechanism",
        slug="bri-mechanism",
        description="A standing mechanism for disaster prevention and emergency management.",
        established_on=datetime.date(2020, 6, 1),
        themes=[cooperation],
    )
    mechanism.member_countries.set([nepal, pakistan])
    source = make_source(
        title="Research on emergency cooperation",
        slug="research-paper",
        abstract="Theoretical research lags behind practice in rescue cooperation.",
        published_on=datetime.date(2020, 1, 1),
    )
    finding = make_finding(
        source=source, text="Theoretical research lags behind the practice of cooperation."
    )
    return {
        "themes": {"management": management, "rescue": rescue, "cooperation": cooperation},
        "teams": teams,
        "rescuing": rescuing,
        "plan": plan,
        "draft": draft,
        "earthquake": earthquake,
        "flood": flood,
        "mechanism": mechanism,
        "source": source,
        "finding": finding,
    }
