"""The page cache (emgov.middleware.PublicPageCacheMiddleware) and the public state it
files pages under (core.public_state): a cached surface answers from the cache, and a
committed change of what it shows is on it at the next request, on every surface, while
staff never see a cached page nor leave one behind."""

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.cache import patch_cache_control, patch_vary_headers

from core import public_state
from core.models import PublicState, Status
from editorial.pending import propose_change
from editorial.workflow import entry_publish, entry_submit, entry_withdraw, publish_change
from emgov.middleware import PublicPageCacheMiddleware, RecentPages
from tests.builders import make_agreement, make_country, make_source, make_theme
from tests.conftest import logged_in, make_user, under_site_settings

TITLE = "Zanzibar flood drills memorandum"
SLUG = "china-zanzibar-drills"

# Every public surface that shows the agreement: its page, lists, the theme and country
# pages, search, feeds, the sitemap, the API and the exports (streamed, never kept:
# they are always read afresh).
SURFACES = [
    f"/agreements/{SLUG}/",
    f"/zh-hans/agreements/{SLUG}/",
    "/agreements/",
    "/themes/flood-drills/",
    "/themes/flood-drills/feed.atom",
    "/countries/np/",
    "/search/?q=Zanzibar",
    "/timeline/",
    "/api/v1/agreements/",
    f"/api/v1/agreements/{SLUG}/",
    "/api/v1/agreements/?q=Zanzibar",
    "/export/agreements.csv",
    "/feeds/latest.atom",
    "/sitemap-agreements.xml",
]


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


def body(response):
    content = response.getvalue() if response.streaming else response.content
    return content.decode()


def queries_for(client, path):
    """The response, its text (read once: an export is a stream) and the queries both
    took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        content = body(response)
    return response, content, len(queries)


def published_agreement(status=Status.PUBLISHED):
    source = make_source(title="Fictional bulletin of the Zanzibar drills")
    return make_agreement(
        status=status,
        title=TITLE,
        slug=SLUG,
        themes=[make_theme(name="Flood drills", slug="flood-drills")],
        countries=[make_country()],
        sources=[source],
    )


@pytest.mark.django_db(transaction=True)
def test_every_surface_is_served_from_the_cache_until_a_withdrawal_commits(page_cache):
    reviewer = make_user("rita", "Reviewer")
    agreement = published_agreement()
    public = Client()
    for path in SURFACES:
        first, content, _ = queries_for(public, path)
        assert first.status_code == 200, path
        assert TITLE in content or SLUG in content, path
        again, content_again, queries = queries_for(public, path)
        assert content_again == content, path
        if not again.streaming:
            assert queries == 1, f"{path}: a cached page reads only the public state's token"

    entry_withdraw(entry=agreement, user=reviewer, comment="Withdrawn by its source")

    for path in SURFACES:
        response = public.get(path)
        if path.endswith(f"/{SLUG}/"):
            # Its own addresses say it was withdrawn, as they would uncached.
            assert response.status_code in (404, 410), path
        else:
            assert TITLE not in body(response) and SLUG not in body(response), path


@pytest.mark.django_db(transaction=True)
def test_a_publication_is_on_every_cached_surface_at_once(page_cache):
    editor, reviewer = make_user("ed", "Editor"), make_user("rita", "Reviewer")
    agreement = published_agreement(status=Status.DRAFT)
    public = Client()
    for path in SURFACES:
        content = body(public.get(path))  # cached without it
        assert TITLE not in content, path

    entry_submit(entry=agreement, user=editor)
    entry_publish(entry=agreement, user=reviewer)
    for path in SURFACES:
        response = public.get(path)
        assert response.status_code == 200, path
        content = body(response)
        assert TITLE in content or SLUG in content, path


@pytest.mark.django_db(transaction=True)
def test_a_reviewed_change_is_on_every_cached_surface_at_once(page_cache):
    editor, reviewer = make_user("ed", "Editor"), make_user("rita", "Reviewer")
    agreement = published_agreement()
    public = Client()
    for path in SURFACES:
        public.get(path)

    def retitle(entry):
        entry.title = "Pemba storm drills memorandum"
        entry.save()

    propose_change(agreement, user=editor, reason="Its real title", write=retitle)
    # Held for review: the public still reads the published title, from the cache.
    assert TITLE in body(public.get(f"/agreements/{SLUG}/"))

    publish_change(entry=agreement, user=reviewer)
    for path in SURFACES:
        if "?q=Zanzibar" in path:
            continue  # the new title no longer matches the old search
        content = body(public.get(path))
        assert TITLE not in content, path
        if "sitemap" not in path:
            assert "Pemba storm drills" in content, path


@pytest.mark.django_db(transaction=True)
def test_staff_never_get_a_cached_page_nor_leave_one(page_cache):
    published_agreement()
    path = f"/agreements/{SLUG}/"
    staff = logged_in(make_user("ed", "Editor"))
    public = Client()

    response, _, _ = queries_for(staff, path)
    assert "no-store" in response["Cache-Control"]
    _, _, queries = queries_for(public, path)
    assert queries > 1, "the staff response was not kept for the public"

    _, _, queries = queries_for(public, path)
    assert queries == 1  # now cached, for the public
    response, _, queries = queries_for(staff, path)
    assert queries > 1, "staff are given the page as built for them"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_answers_conditional_requests(page_cache):
    published_agreement()
    public = Client()
    path = f"/agreements/{SLUG}/"
    etag = public.get(path)["ETag"]
    cached = public.get(path)
    assert cached["ETag"] == etag
    assert public.get(path, headers={"if-none-match": etag}).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_is_sent_as_it_was_built(page_cache):
    """The cache sits above the middleware that adds the security headers and below the
    one that picks the language: a page from it is the page as built, headers and all,
    in the reader's language, with one query (the public state's token)."""
    published_agreement()
    public = Client()
    for path, language in [
        (f"/agreements/{SLUG}/", "en"),
        (f"/zh-hans/agreements/{SLUG}/", "zh-hans"),
    ]:
        built, built_body, _ = queries_for(public, path)
        cached, cached_body, queries = queries_for(public, path)
        assert queries == 1
        assert cached_body == built_body
        assert cached["Content-Language"] == language
        for header in (
            "Content-Security-Policy",
            "X-Frame-Options",
            "Content-Type",
            "ETag",
            "Vary",
            "Referrer-Policy",
            "X-Content-Type-Options",
        ):
            assert cached.get(header) == built.get(header), header
        assert cached["Content-Security-Policy"] and cached["ETag"]


@pytest.mark.django_db(transaction=True)
def test_only_whole_pages_that_say_nothing_of_their_reader_are_kept(page_cache):
    published_agreement()
    public = Client()
    # Not found: built each time, never kept.
    assert queries_for(public, "/agreements/no-such-agreement/")[2] > 1
    assert queries_for(public, "/agreements/no-such-agreement/")[2] > 1
    # The health check looks at the database every time.
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert public.get("/healthz").status_code == 200
        assert [q for q in queries if "publicstate" not in q["sql"].lower()]


def plain(response):
    return response


def sets_a_cookie(response):
    response.set_cookie("fictional", "1")
    return response


def varies_on_cookies(response):
    patch_vary_headers(response, ["Cookie"])
    return response


def private(response):
    patch_cache_control(response, private=True)
    return response


def counting_view(shape=lambda response: response):
    """A view of a fictional page, and the list of the requests it built it for."""
    built = []

    def view(request):
        built.append(request)
        return shape(HttpResponse("A fictional page"))

    return view, built


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shape", "kept"),
    [(plain, True), (sets_a_cookie, False), (varies_on_cookies, False), (private, False)],
)
def test_a_response_that_speaks_to_its_reader_is_never_kept(page_cache, shape, kept):
    view, built = counting_view(shape)
    middleware = PublicPageCacheMiddleware(view)
    for _ in range(2):
        request = RequestFactory().get("/fictional/")
        request.COOKIES = {}
        assert middleware(request).content == b"A fictional page"
    assert len(built) == (1 if kept else 2)


@pytest.mark.django_db
def test_a_request_with_a_session_cookie_is_never_served_from_the_cache(page_cache, settings):
    view, built = counting_view()
    middleware = PublicPageCacheMiddleware(view)
    middleware(RequestFactory().get("/fictional/"))
    with_session = RequestFactory().get("/fictional/")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "fictional-session"
    middleware(with_session)
    middleware(RequestFactory().get("/fictional/"))
    assert len(built) == 2


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_can_be_turned_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    published_agreement()
    public = Client()
    public.get(f"/agreements/{SLUG}/")
    assert queries_for(public, f"/agreements/{SLUG}/")[2] > 1


@pytest.mark.django_db(transaction=True)
def test_the_token_changes_once_a_transaction_commits_and_not_when_it_rolls_back():
    before = public_state.token()
    with transaction.atomic():
        for number in range(3):
            make_theme(name=f"Fictional theme {number}", slug=f"fictional-theme-{number}")
        assert public_state.token() == before, "not before the data is visible"
        with CaptureQueriesContext(connection) as queries:
            pass
    after = public_state.token()
    assert after != before

    with pytest.raises(RuntimeError), transaction.atomic():
        make_theme(name="Never committed", slug="never-committed")
        raise RuntimeError
    assert public_state.token() == after

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for number in range(3, 6):
            make_theme(name=f"Fictional theme {number}", slug=f"fictional-theme-{number}")
    updates = [q for q in queries if "core_publicstate" in q["sql"].lower()]
    assert len(updates) == 1, "one new token per transaction, however many rows it writes"
    assert PublicState.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_edit_held_for_review_leaves_the_token_as_it_is():
    editor = make_user("ed", "Editor")
    agreement = published_agreement()
    before = public_state.token()

    def retitle(entry):
        entry.title = "Pemba storm drills memorandum"
        entry.save()

    propose_change(agreement, user=editor, reason="Its real title", write=retitle)
    assert public_state.token() == before
    assert agreement.status == Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_theme_counts_are_kept_under_the_public_state(settings):
    """The counts of the home page and /themes/ (core.registry.count_by_theme) are kept
    under the public state's token, with the page cache off: counted once, then read
    from the cache, and counted afresh once a committed write changes the token."""
    settings.PAGE_CACHE_SECONDS = 0
    theme = make_theme(name="Flood drills", slug="flood-drills")
    make_agreement(themes=[theme])
    public = Client()
    for path, one, two in [("/", "1 entry", "2 entries"), ("/themes/", "(1)", "(2)")]:
        _, first, counted = queries_for(public, path)
        assert one in first, path
        _, again, kept = queries_for(public, path)
        assert again == first, path
        # The count (one UNION ALL) and the themes' tree are no longer read.
        assert kept == counted - 2, path
        make_agreement(themes=[theme])
        _, after, _ = queries_for(public, path)
        assert two in after, path
        assert one not in after, path
        # The next path starts from one agreement under the theme again.
        theme.agreements.order_by("pk").last().delete()


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_on_a_kept_connection_is_one_round_trip_even_after_it_died(
    page_cache, monkeypatch
):
    """A page from the cache reads the public state's token and nothing else: that read
    stands in for the check Django would make first that the connection kept from an
    earlier request still works, and a connection that died is opened afresh."""
    published_agreement()
    public = Client()
    path = f"/agreements/{SLUG}/"
    built = public.get(path).content
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    # What Django does at the start of each request (the test client leaves it out).
    connection.close_if_unusable_or_obsolete()
    cached, _, queries = queries_for(public, path)
    assert (cached.content, queries, checks) == (built, 1, [])
    # The database went away under the kept connection (a restart, say).
    connection.close_if_unusable_or_obsolete()
    dead = connection.connection
    dead.close()
    assert public.get(path).content == built
    assert connection.connection is not dead and checks == []


def fictional_page(text):
    return (text.encode(), [("Content-Type", "text/html; charset=utf-8")])


def test_a_process_keeps_the_pages_it_served_last_within_its_room(monkeypatch):
    recent = RecentPages(max_bytes=100)
    for name in ("first", "second", "third"):
        recent.put(name, fictional_page(name * 2), seconds=60)  # 10-12 bytes each
    assert recent.get("first")  # now the most recently served
    recent.put("big", fictional_page("b" * 13), seconds=60)  # over an eighth of the room
    assert recent.get("big") is None
    for number in range(6):
        recent.put(f"page {number}", fictional_page(f"page {number} ....."), seconds=60)
    # 32 + 6 * 12 bytes do not fit in 100: the least recently served went first.
    assert recent.get("second") is None
    assert all(recent.get(name) for name in ("first", "third", "page 0", "page 5"))
    # A page expires as it does in the shared cache.
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 61)
    assert recent.get("first") is None
    # Room for nothing: nothing is kept.
    nothing = RecentPages(max_bytes=0)
    nothing.put("empty", fictional_page(""), seconds=60)
    assert nothing.get("empty") is None


@pytest.mark.django_db
def test_a_process_sends_a_page_it_served_without_asking_the_shared_cache(page_cache, monkeypatch):
    view, built = counting_view()

    def ask():
        return this_process(RequestFactory().get("/fictional/")).content

    this_process, another = PublicPageCacheMiddleware(view), PublicPageCacheMiddleware(view)
    assert ask() == b"A fictional page"
    assert another(RequestFactory().get("/fictional/")).content == b"A fictional page"
    assert len(built) == 1  # the other process found it in the shared cache
    monkeypatch.setattr("emgov.middleware.cache", FailingCache())
    # Redis gone: each process still sends what it served last...
    assert ask() == b"A fictional page"
    assert another(RequestFactory().get("/fictional/")).content == b"A fictional page"
    assert len(built) == 1
    # ...but never under another public state.
    PublicState.objects.changed()
    assert ask() == b"A fictional page" and len(built) == 2


class FailingCache:
    """A shared cache that no longer answers, as django-redis ignores it: all misses."""

    def get(self, key, default=None):
        return default

    def set(self, key, value, timeout=None):
        pass


@pytest.mark.django_db
def test_after_a_change_outside_the_site_an_operator_can_renew_the_public_state():
    before = PublicState.objects.token()
    output = io.StringIO()
    call_command("renew_public_state", stdout=output)
    assert PublicState.objects.token() not in (before, PublicState.objects.before_first)
    assert PublicState.objects.token() in output.getvalue()


def test_the_room_for_recent_pages_is_a_whole_number_of_megabytes():
    """The site's own settings read EMGOV_PAGE_CACHE_RECENT_MB, and refuse a value that
    is not a whole number, in plain words."""
    program = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PAGE_CACHE_RECENT_BYTES)"
    )

    def run(value):
        return under_site_settings(program, EMGOV_PAGE_CACHE_RECENT_MB=value)

    assert run("0").stdout.strip() == "0"
    assert run("8").stdout.strip() == str(8 * 1024 * 1024)
    refused = run("lots")
    assert refused.returncode != 0
    assert "EMGOV_PAGE_CACHE_RECENT_MB must be a whole number" in refused.stderr
