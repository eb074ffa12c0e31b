"""PII engine: text and JSON values in; Swedish entities, masked or surrogate renderings,
keyed user pseudonyms and leakage findings out.

Importing this package sets ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""`` (unless already
set) before presidio is imported, so nothing tries to download the public suffix list.
"""

import os

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from pipelines.pii.entities import ENTITY_TYPES, Entity
from pipelines.pii.masking import MASK_MODES, PiiMasker, get_masker
from pipelines.pii.pseudonym import (
    PseudonymKeyError,
    load_pseudonym_key,
    pseudonymize_user_id,
)
from pipelines.pii.surrogates import SurrogateMap

__all__ = [
    "ENTITY_TYPES",
    "MASK_MODES",
    "Entity",
    "PiiMasker",
    "PseudonymKeyError",
    "SurrogateMap",
    "get_masker",
    "load_pseudonym_key",
    "pseudonymize_user_id",
]
