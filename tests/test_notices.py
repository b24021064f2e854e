"""What other programs read of a notice's mail: headers that survive a real parser."""

from email import message_from_bytes, policy

import pytest

from notices.outbox import NoticeMail

# The fold of a long header falls somewhere in these subjects; CPython before 3.13 lost
# the space there when the word before it had å, ä or ö. Every offset is tried.
SUBJECTS = [
    f"Ny uppgift – KS 2026/0001: {'Ta fram ' + 'x' * shift} siffror på skatteintäkter"
    for shift in range(40)
] + [
    "Uppgift klar – KS 2026/0001: Ring Åsa på Arbetsförmedlingen om de 38 som är varslade",
    "Försenad uppgift – KS 2026/0001: " + "Öppna träffpunkt för de varslade på biblioteket " * 4,
]


@pytest.mark.parametrize("subject", [s[:200] for s in SUBJECTS])
def test_a_subject_with_swedish_letters_arrives_as_written(subject):
    mail = NoticeMail(subject=subject, body="x", to=["lena@norsjo.example"])
    # As Django's SMTP backend builds it.
    raw = mail.message(policy=policy.SMTP).as_bytes()
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == subject.strip()
