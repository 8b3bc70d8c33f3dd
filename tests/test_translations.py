"""The Chinese interface: the committed catalogue is compiled and complete, and the
/zh-hans/ pages speak Chinese."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def catalog():
    with PO.open("rb") as f:
        return read_po(f)


def test_every_interface_string_has_a_chinese_translation():
    untranslated = [
        m.id
        for m in catalog()
        if m.id and not (m.string if isinstance(m.string, str) else m.string[0])
    ]
    assert not untranslated


def test_the_compiled_catalogue_matches_the_po_file():
    """Fails when the .po was edited but `make translations` was not run."""
    with translation.override("zh-hans"):
        for message in catalog():
            if not message.id or message.pluralizable:
                continue
            assert translation.gettext(message.id) == message.string, message.id


@pytest.mark.django_db
def test_chinese_pages_use_the_chinese_interface(client, seeded):
    page = client.get("/zh-hans/directives/xi-2019-emergency-management/p3/").content.decode()
    assert '<html lang="zh-hans">' in page
    for text in ["政策文件", "引用本页", "第3点", "回应该要点的协议"]:
        assert text in page
    english = client.get("/directives/xi-2019-emergency-management/p3/").content.decode()
    assert "引用本页" not in english and "Cite this" in english
