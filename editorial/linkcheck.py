"""Checking the URLs of sources: the HTTP status and final address of each, with
bounded concurrency, a timeout, and a user agent that says who is asking."""

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from core.models import LinkCheck, Source

USER_AGENT = (
    "emgov-link-checker/1.0 (checks the sources cited by the emgov emergency-management "
    "policy knowledge base; one request per URL)"
)


@dataclass
class Answer:
    url: str
    status_code: int | None
    final_url: str
    error: str


def fetch(url, *, timeout):
    """One GET, following redirects; the body is not read beyond the headers."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(url, response.status, response.geturl(), "")
    except urllib.error.HTTPError as error:
        return Answer(url, error.code, error.geturl() or url, "")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Answer(url, None, "", str(reason)[:300] or error.__class__.__name__)


def source_urls():
    """Every distinct URL and archived URL of a source, in a stable order."""
    urls = set()
    for url, archived in Source.objects.filter(~Q(url="") | ~Q(archived_url="")).values_list(
        "url", "archived_url"
    ):
        urls.update(u for u in (url, archived) if u)
    return sorted(urls)


def links_check(*, urls=None, concurrency=4, timeout=10.0, progress=None):
    """Check each URL (default: every source's) and store the answers; returns them."""
    urls = source_urls() if urls is None else urls
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        answers = pool.map(lambda url: fetch(url, timeout=timeout), urls)
        answers = list(progress(answers, total=len(urls)) if progress else answers)
    now = timezone.now()
    for answer in answers:
        LinkCheck.objects.update_or_create(
            url=answer.url,
            defaults={
                "status_code": answer.status_code,
                "final_url": answer.final_url,
                "error": answer.error,
                "checked_at": now,
            },
        )
    return answers
