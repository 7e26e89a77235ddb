"""The translation catalogues: complete, in step with the code, compiled, and well-formed."""

from __future__ import annotations

import io

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from patentdesk.web import i18n

REGENERATE = "python -m patentdesk.web.i18n update, translate, then python -m patentdesk.web.i18n compile"


def load(lang: i18n.Language):
    with i18n.po_path(lang).open("rb") as f:
        return read_po(f, locale=lang.directory, domain=i18n.DOMAIN)


@pytest.fixture(scope="module")
def extracted() -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in i18n.extract() if m.id}


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_catalogue_has_every_extracted_string_and_nothing_stale(code, extracted):
    cat = load(i18n.LANGUAGES[code])
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in cat if m.id}
    assert not extracted - ids, f"strings missing from {code}; run: {REGENERATE}"
    assert not ids - extracted, f"strings no longer used in {code}; run: {REGENERATE}"
    assert len(extracted) > 100


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_every_message_is_translated_and_keeps_its_placeholders(code):
    cat = load(i18n.LANGUAGES[code])
    untranslated = [m.id for m in cat if m.id and (not m.string or (not isinstance(m.string, str)
                                                                      and not all(m.string)))]
    assert not untranslated, f"untranslated in {code}: {untranslated[:5]}"
    assert not [m.id for m in cat if m.id and m.fuzzy], f"fuzzy translations in {code}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in cat.check()]
    assert not problems, problems


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_compiled_catalogue_is_up_to_date(code):
    lang = i18n.LANGUAGES[code]
    buf = io.BytesIO()
    write_mo(buf, load(lang), use_fuzzy=False)
    assert i18n.po_path(lang).with_suffix(".mo").read_bytes() == buf.getvalue(), \
        f"{code}: the .mo is stale; run: python -m patentdesk.web.i18n compile"


def test_translations_are_in_the_right_script():
    hans = i18n.translations("zh-Hans")
    hant = i18n.translations("zh-Hant")
    assert hans.gettext("Search results") == "检索结果"
    assert hant.gettext("Search results") == "檢索結果"
    assert hant.gettext("Claims") == "申請專利範圍"
    assert i18n.translations("pt").gettext("Claims") == "Reivindicações"
    for msg in ("Bibliographic data", "Publication date", "Legal events", "Description"):
        assert hans.gettext(msg) != hant.gettext(msg), msg  # 简体 and 繁體 really differ here
    assert i18n.translations("pt").ngettext("%(num)s publication found", "%(num)s publications found", 1) \
        == "%(num)s publicação encontrada"


@pytest.mark.parametrize("header, expected", [
    (None, None), ("", None), ("*", None), ("en-GB", "en"), ("zh", "zh-Hans"), ("zh-Hant-TW", "zh-Hant"),
    ("zh-MO", "zh-Hant"), ("zh-SG", "zh-Hans"), ("pt-PT;q=0.1,en;q=0.2", "en"), ("xx;q=abc, pt", "pt"),
    ("de;q=0, pt;q=0", None),
])
def test_accept_language_parsing(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_choose_order():
    assert i18n.choose("pt", "zh-Hans", "zh-TW") == "pt"
    assert i18n.choose("klingon", "zh-hans", "zh-TW") == "zh-Hans"
    assert i18n.choose(None, None, "zh-TW") == "zh-Hant"
    assert i18n.choose(None, None, None) == "en"
    assert i18n.format_count(12345, "pt") == "12.345" and i18n.format_count(12345, "en") == "12,345"
