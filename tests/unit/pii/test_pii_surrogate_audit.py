"""Surrogates must never look like real data to the strict leakage audit.

Found by the demo: a fake phone number in the fiction range read, without separators, as a
valid coordination number and failed the silver audit.
"""

from __future__ import annotations

from pipelines.pii.audit import scan_text
from pipelines.pii.surrogates import SurrogateMap

RAW = [
    ("PHONE", "0701234567"),
    ("PHONE", "070-123 45 67"),
    ("PHONE", "+46 70 123 45 67"),
    ("PHONE", "08-123 456 78"),
    ("PERSONNUMMER", "19121212-1212"),
    ("PERSONNUMMER", "121212+1212"),
    ("EMAIL", "anna.svensson@example.se"),
    ("IBAN", "SE45 5000 0000 0583 9825 7466"),
    ("CARD", "4111 1111 1111 1111"),
    ("ORGNR", "556036-0793"),
]


def test_no_surrogate_trips_the_audit_across_many_conversations() -> None:
    flagged = []
    for scope in range(1500):
        smap = SurrogateMap(scope=f"s{scope}", key=b"k" * 32)
        for kind, raw in RAW:
            fake = smap.fake(kind, raw)
            if any(f.blocking for f in scan_text(fake)):
                flagged.append((kind, scope))
    assert flagged == []
