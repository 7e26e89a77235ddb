"""The web tests' data: a real record of the USPTO weekly slices and a hostile record made here."""

from __future__ import annotations

import datetime as dt

from patentdesk.model import (
    Citation,
    Classification,
    LegalEvent,
    Party,
    Provenance,
    Publication,
    Text,
)

HOSTILE = "US9990001B2"
# a real record of the slices (ipg050104: doc-number 06836899, kind B1) that the hostile record
# cites and shares a family with
CITED = "US6836899B1"


def hostile_record(family_id: str | None) -> Publication:
    script = '<script>alert("x")</script>'
    return Publication(
        number=HOSTILE, country="US", doc_number="9990001", kind="B2", doc_type="grant",
        publication_date=dt.date(2013, 4, 16), application_number="13000001",
        application_date=dt.date(2011, 1, 3), application_country="US",
        texts=(
            Text("title", "en", f"Napkin clip {script} <b>bold</b> & co"),
            Text("abstract", "en", f'Magnetic napkin <img src=x onerror="alert(1)"> holder {script}'),
            Text("claims", "en", f"1. A napkin clip {script}.\n2. The clip of claim 1, wherein <i>x</i>.\n"
                                 "3. The clip of claims 1 or 2."),
            Text("description", "en", f"First paragraph {script}.\nSecond paragraph."),
        ),
        parties=(Party(f"{script} Hostile Corp", "applicant", 1, "US"),
                 Party("Doe, Jane", "inventor", 1, "US", "Bath")),
        classifications=(Classification("ipc", "A45F5/04", 1),),
        citations=(Citation(1, "patent", CITED, "US", None, None, "examiner"),
                   Citation(2, "npl", None, None, None, f"Journal {script}", "applicant")),
        family_id=family_id, family_source="priorities",
        legal_events=(LegalEvent(dt.date(2014, 1, 2), "FEE", 1, f"Fee paid {script}", "US"),),
        provenance=Provenance("test", "/srv/secret/folder/hostile.xml", 1),
    )


EP_PAIR = ("EP1000001A1", "EP1000001B1")


def ep_pair() -> list[Publication]:
    """An application and its grant: one document number, two kinds, as the EPO publishes them."""
    return [
        Publication(number=number, country="EP", doc_number="1000001", kind=kind, doc_type=doc_type,
                    publication_date=date, texts=(Text("title", "en", f"Magnetic clasp ({kind})"),),
                    family_id="P:ep-pair", family_source="priorities",
                    provenance=Provenance("test", "ep-pair.xml", i))
        for i, (number, kind, doc_type, date) in enumerate(
            [(EP_PAIR[0], "A1", "application", dt.date(2010, 6, 2)),
             (EP_PAIR[1], "B1", "grant", dt.date(2012, 3, 7))], 1)
    ]
