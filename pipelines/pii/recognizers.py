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
from pipelines.pii.recognizers_producer import build_producer_mask_recognizers


def build_swedish_recognizers() -> list[ValidatedPatternRecognizer]:
    """Fresh instances of every pattern recognizer (person names come from persons.py),
    including the placeholders the producers already wrote."""
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
        *build_producer_mask_recognizers(),
    ]
