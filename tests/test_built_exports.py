"""Exports built once per public state (exports.files): the first download streams and
keeps the file, later ones are the file, and nothing unfinished or out of date is ever
served."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.views import COLLECTIONS
from core import public_state
from editorial.workflow import entry_withdraw
from exports import files
from exports.views import FORMATS
from tests.builders import make_directive, make_theme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/export/directives.csv"


@pytest.fixture
def exports_dir(settings, tmp_path):
    settings.EXPORTS_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"


def download(path=PATH):
    response = Client().get(path)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content).decode()


def kept_files(directory):
    return sorted(p.name for p in directory.rglob("*") if p.is_file())


def test_the_first_download_keeps_its_file_and_the_next_is_that_file(exports_dir):
    make_directive(title="Fictional drill directive", themes=[make_theme()], provisions=2)
    first, content = download()
    assert "Fictional drill directive" in content
    assert first["Content-Disposition"] == 'attachment; filename="emgov-directives.csv"'
    assert len(kept_files(exports_dir)) == 1

    with CaptureQueriesContext(connection) as queries:
        again, content_again = download()
    assert content_again == content
    assert [q["sql"] for q in queries if "publicstate" not in q["sql"].lower()] == []
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_after_a_withdrawal_the_export_is_built_again_without_it(exports_dir, monkeypatch):
    monkeypatch.setattr(files, "KEEP_OLD_SECONDS", 0)
    directive = make_directive(title="Fictional drill directive", themes=[make_theme()])
    before = public_state.token()
    assert "Fictional drill directive" in download()[1]

    entry_withdraw(entry=directive, user=make_user("rita", "Reviewer"), comment="Withdrawn")
    assert public_state.token() != before
    assert "Fictional drill directive" not in download()[1]
    assert [p.name for p in exports_dir.iterdir()] == [public_state.token()]


def test_a_download_cut_off_keeps_nothing(exports_dir, settings):
    for number in range(3):
        make_directive(title=f"Fictional directive {number}", themes=[make_theme()])
    response = Client().get(PATH)
    stream = iter(response.streaming_content)
    next(stream)
    response.close()  # the reader went away: the generator is closed mid-way
    assert kept_files(exports_dir) == []
    assert [p.name for p in exports_dir.rglob(".building-*")] == []


def test_a_file_read_while_the_data_changed_is_not_kept(exports_dir):
    make_directive(title="Fictional directive", themes=[make_theme()])
    response = Client().get(PATH)
    stream = iter(response.streaming_content)
    next(stream)
    make_theme(name="A theme added meanwhile", slug="added-meanwhile")  # commits: new token
    b"".join(stream)
    assert kept_files(exports_dir) == []


def test_nginx_sends_the_file_where_it_serves_them(exports_dir, settings):
    settings.EXPORTS_ACCEL_PREFIX = "/_exports/"
    make_directive(title="Fictional directive", themes=[make_theme()])
    download()
    response = Client().get(PATH)
    assert response.status_code == 200
    (kept,) = [p for p in exports_dir.rglob("*") if p.is_file()]
    assert response["X-Accel-Redirect"] == "/_exports/" + kept.relative_to(exports_dir).as_posix()
    assert response.content == b""


def test_two_first_downloads_at_once_both_get_the_whole_file(exports_dir):
    for number in range(5):
        make_directive(title=f"Fictional directive {number}", themes=[make_theme()])
    contents = []

    def fetch():
        contents.append(download()[1])
        connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(contents) == 2 and contents[0] == contents[1]
    assert all(f"Fictional directive {n}" in contents[0] for n in range(5))
    assert len(kept_files(exports_dir)) == 1
    assert download()[1] == contents[0]


def test_build_exports_builds_every_file_ahead(exports_dir, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    make_directive(title="Fictional directive", themes=[make_theme()])
    call_command("build_exports", "--site", "http://testserver")
    assert len(kept_files(exports_dir)) == len(COLLECTIONS) * len(FORMATS)
    with CaptureQueriesContext(connection) as queries:
        _, content = download()
    assert "Fictional directive" in content
    assert len(queries) == 1  # the token: the file was there
    with pytest.raises(CommandError, match="--site must be an address"):
        call_command("build_exports", "--site", "emgov.example.org")


def test_without_a_directory_exports_are_streamed_each_time(settings):
    settings.EXPORTS_DIR = ""
    make_directive(title="Fictional directive", themes=[make_theme()])
    assert "Fictional directive" in download()[1]
    with pytest.raises(CommandError, match="not kept as files"):
        call_command("build_exports")
