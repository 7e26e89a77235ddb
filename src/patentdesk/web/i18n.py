"""Languages of the portal: which one a request gets, and its gettext catalogue.

The portal speaks English, Simplified Chinese, Traditional Chinese and Portuguese. The language is
picked, in order, by `?lang=`, the `lang` cookie (set whenever `?lang=` is given), the browser's
`Accept-Language`, and English. Catalogues are gettext `.mo` files compiled from the `.po` files
in `patentdesk/locale/<dir>/LC_MESSAGES/patentdesk.po`; only the standard library reads them.

Babel is needed only to maintain the catalogues (`python -m patentdesk.web.i18n update|compile`),
never to serve pages.
"""

from __future__ import annotations

import gettext
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DOMAIN = "patentdesk"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str  # the public code: ?lang=zh-Hans, <html lang="zh-Hans">
    directory: str  # the catalogue folder: zh_Hans
    name: str  # the language's name in itself, for the switcher
    group: str  # digit grouping separator for counts


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "en", "English", ","),
        Language("zh-Hans", "zh_Hans", "简体中文", ","),
        Language("zh-Hant", "zh_Hant", "繁體中文", ","),
        Language("pt", "pt", "Português", "."),
    )
}
DEFAULT = "en"

# Browser tags that mean one of our languages. Chinese regions that write traditional characters
# get zh-Hant; a bare "zh" or a mainland/Singapore tag gets zh-Hans.
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def from_tag(tag: str) -> str | None:
    """The portal language for one BCP 47 tag (`zh-TW` -> `zh-Hant`, `pt-BR` -> `pt`), or None."""
    parts = [p for p in re.split(r"[-_]", tag.strip().lower()) if p]
    if not parts:
        return None
    if parts[0] == "zh":
        rest = set(parts[1:])
        if "hant" in rest or rest & _TRADITIONAL_REGIONS:
            return "zh-Hant"
        return "zh-Hans"
    if parts[0] == "pt":
        return "pt"
    if parts[0] == "en":
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The best portal language for an `Accept-Language` header, honouring q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate(header.split(",")[:32]):  # a hostile header gets no more than 32 looks
        tag, _, params = item.strip().partition(";")
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if q <= 0:
            continue
        code = from_tag(tag)
        if code:
            ranked.append((-q, i, code))
    return min(ranked)[2] if ranked else None


def normalize_code(value: str | None) -> str | None:
    """A `?lang=` or cookie value as a known public code (case-insensitive), else None."""
    if not value:
        return None
    for code in LANGUAGES:
        if value.strip().lower() == code.lower():
            return code
    return None


def choose(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    return (normalize_code(query_lang) or normalize_code(cookie_lang)
            or from_accept_language(accept_language) or DEFAULT)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language; English falls back to the msgids themselves."""
    lang = LANGUAGES[code]
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang.directory], fallback=True)


def format_count(n: int, code: str) -> str:
    return f"{n:,}".replace(",", LANGUAGES[code].group)


# ----------------------------------------------------------------------------- maintenance
def po_path(lang: Language) -> Path:
    return LOCALE_DIR / lang.directory / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> object:
    """Every translatable string in the web package (Python `_()`/`N_()` and the templates)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    web = Path(__file__).resolve().parent
    catalog = Catalog(project="patentdesk", domain=DOMAIN)
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(web), method_map=method_map, options_map=options, keywords={"_": None, "N_": None,
                                                                            "gettext": None,
                                                                            "ngettext": (1, 2)},
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, None, [(f"web/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def update() -> None:
    """Merge newly extracted strings into every `.po` (new ones arrive untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract()
    assert isinstance(template, Catalog)
    for lang in LANGUAGES.values():
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as f:
                cat = read_po(f, locale=lang.directory, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            cat = Catalog(locale=lang.directory, domain=DOMAIN, project="patentdesk")
        cat.update(template, no_fuzzy_matching=True)
        cat.fuzzy = False  # the header: translations are reviewed message by message
        cat.version = ""
        with path.open("wb") as f:
            write_po(f, cat, width=100, omit_header=False, ignore_obsolete=True)


def compile_all() -> None:
    """Write each `.mo` beside its `.po`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for lang in LANGUAGES.values():
        path = po_path(lang)
        with path.open("rb") as f:
            cat = read_po(f, locale=lang.directory, domain=DOMAIN)
        with path.with_suffix(".mo").open("wb") as f:
            write_mo(f, cat, use_fuzzy=False)


def main(argv: list[str]) -> int:
    actions = {"update": update, "compile": compile_all}
    if len(argv) != 1 or argv[0] not in actions:
        print("usage: python -m patentdesk.web.i18n update|compile", file=sys.stderr)
        return 2
    actions[argv[0]]()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
