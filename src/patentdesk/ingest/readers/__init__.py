"""Built-in readers. Each module registers its readers with `@register`; a new format is one new
module here and one import line below."""

from . import (  # noqa: F401
    cnipa,
    epo_docdb,
    epo_ops,
    epo_pubserver,
    jpo,
    lens,
    tabular,
    uspto,
    uspto_pap,
    wipo,
)
