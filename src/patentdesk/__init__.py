"""patentdesk: a self-hosted intellectual-property information service.

The library is the product; `patentdesk.cli` is a thin layer over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
