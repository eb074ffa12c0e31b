"""The Swedish recognizer set: only what Swedish assistant text needs, none of the US ones."""

from __future__ import annotations

from pipelines.pii.recognizers_base import ValidatedPatternRecognizer
from pipelines.pii.recognizers_contact import (
    EmailRecognizer,
    ForeignPhoneRecognizer,
    IpRecognizer,
    SwedishPhoneRecognizer,
)
from pipelines.pii.recognizers_ids import (
    CardRecognizer,
    IbanRecognizer,
    OrgnrRecognizer,
    PaymentAccountRecognizer,
    PersonnummerRecognizer,
)
from pipelines.pii.recognizers_places import (
    PlateRecognizer,
    PostcodeRecognizer,
    StreetAddressRecognizer,
)


def build_swedish_recognizers() -> list[ValidatedPatternRecognizer]:
    """Fresh instances of every pattern recognizer (person names come from persons.py)."""
    return [
        PersonnummerRecognizer(),
        OrgnrRecognizer(),
        CardRecognizer(),
        IbanRecognizer(),
        PaymentAccountRecognizer(),
        SwedishPhoneRecognizer(),
        ForeignPhoneRecognizer(),
        EmailRecognizer(),
        IpRecognizer(),
        StreetAddressRecognizer(),
        PostcodeRecognizer(),
        PlateRecognizer(),
    ]
