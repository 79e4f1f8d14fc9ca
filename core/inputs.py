"""What the forms send, as typed values: the one input layer.

The web edge reads a submitted form (already one string per field, without
control characters: web.forms.clean) into one of these with ``from_form``,
which checks every field's shape with core.values and raises ValidationError
with a Swedish message per field. Services receive the typed value and check
only what needs the database (that an organisation is in the tenant's
register, say). Nothing a person types reaches a service as a raw string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from core.models.organisation import LEGAL_FORMS
from core.models.partnership import CONTRIBUTION_KINDS
from core.orgnr import check_legal_form, check_organisationsnummer
from core.values import ValidationError, clean_text, parse_amount, parse_date, parse_int, too_long

# The longest text a free-text field keeps.
MAX_TEXT = 20_000
# Contributions that are counted carry an amount; the others are described.
COUNTED = {"pengar", "personal", "ideella_timmar", "lokaler"}
# One partnership may have several idéburna parties (GEN-08), within reason.
MAX_IDEBURNA = 10
PARTNERSHIP_TEXTS = ("title", "samhallsutmaning", "goals", "target_group")


def _date(data: Mapping[str, str], field: str, what: str, errors: dict[str, str]) -> date | None:
    day, message = parse_date(data.get(field), what)
    if message:
        errors[field] = message
    return day


# ---------------------------------------------------------------- partnerships


@dataclass(frozen=True)
class PartySlot:
    """Where one party's fields sit in the partnership form: the first
    idéburen party keeps the plain names (``organisation_id``,
    ``ideburen_pengar_amount``), the n:th has them numbered (``organisation_id3``,
    ``ideburen3_pengar_amount``)."""

    role: str
    number: int = 1

    @property
    def prefix(self) -> str:
        return self.role if self.number == 1 else f"{self.role}{self.number}"

    @property
    def organisation_field(self) -> str:
        return "organisation_id" if self.number == 1 else f"organisation_id{self.number}"


def ideburen_slots(count: int) -> list[PartySlot]:
    return [PartySlot("ideburen", n) for n in range(1, max(1, min(count, MAX_IDEBURNA)) + 1)]


def slots_in(data: Mapping[str, str]) -> int:
    """How many idéburna parties a submitted form holds."""
    highest = 1
    for key in data:
        for stem in ("organisation_id", "ideburen"):
            rest = key[len(stem):].split("_", 1)[0] if key.startswith(stem) else ""
            if rest.isascii() and rest.isdigit() and 1 < int(rest) <= MAX_IDEBURNA:
                highest = max(highest, int(rest))
    return highest


@dataclass(frozen=True)
class ContributionInput:
    kind: str
    amount: Decimal | None
    description: str


@dataclass(frozen=True)
class PartyInput:
    """An idéburen party as the form names it; ``field`` is the form field of
    its organisation, for messages about it."""

    organisation_id: int | None
    field: str
    contributions: tuple[ContributionInput, ...]


def _contributions(data: Mapping[str, str], slot: PartySlot, errors: dict[str, str]) -> tuple[ContributionInput, ...]:
    found = []
    for kind in CONTRIBUTION_KINDS:
        name = f"{slot.prefix}_{kind}"
        amount = None
        if kind in COUNTED:
            amount, message = parse_amount(data.get(f"{name}_amount"))
            if message:
                errors[f"{name}_amount"] = message
        text = clean_text(data.get(f"{name}_text"))
        if message := too_long(text, MAX_TEXT):
            errors[f"{name}_text"] = message
        if amount is not None or text:
            found.append(ContributionInput(kind, amount, text))
    return tuple(found)


@dataclass(frozen=True)
class PartnershipInput:
    title: str
    samhallsutmaning: str
    goals: str
    target_group: str
    period_start: date | None
    period_end: date | None
    initiated_on: date
    public_contributions: tuple[ContributionInput, ...]
    # At least one: an initiative may come in before its idéburen party is known.
    ideburna: tuple[PartyInput, ...]

    @classmethod
    def from_form(cls, data: Mapping[str, str], today: date) -> PartnershipInput:
        errors: dict[str, str] = {}
        texts = {f: clean_text(data.get(f)) for f in PARTNERSHIP_TEXTS}
        if not texts["title"]:
            errors["title"] = "Skriv en titel för partnerskapet."
        for f in PARTNERSHIP_TEXTS:
            if message := too_long(texts[f], 300 if f == "title" else MAX_TEXT):
                errors[f] = message
        start = _date(data, "period_start", "startdatum", errors)
        end = _date(data, "period_end", "slutdatum", errors)
        if start and end and end <= start:
            errors["period_end"] = "Slutdatum måste komma efter startdatum."
        # A caller that does not send the date at all (the API, a script)
        # means "today"; the form always sends it, so a cleared field is an error.
        initiated_on = today
        if "initiated_on" in data:
            initiated_on = _date(data, "initiated_on", "datumet", errors)
            if initiated_on is None and "initiated_on" not in errors:
                errors["initiated_on"] = "Skriv vilket datum initiativet kom in."
            elif initiated_on is not None and initiated_on > today:
                errors["initiated_on"] = "Datumet då initiativet kom in kan inte ligga i framtiden."
        public = _contributions(data, PartySlot("offentlig"), errors)
        ideburna = []
        for slot in ideburen_slots(slots_in(data)):
            raw = clean_text(data.get(slot.organisation_field))
            organisation_id = parse_int(raw, lowest=1) if raw else None
            if raw and organisation_id is None:
                errors[slot.organisation_field] = "Välj en organisation ur ert register."
            contributions = _contributions(data, slot, errors)
            if organisation_id is None and contributions and slot.number > 1 and not raw:
                errors[slot.organisation_field] = "Välj vilken organisation som bidrar med detta."
            if organisation_id is not None or contributions:
                ideburna.append(PartyInput(organisation_id, slot.organisation_field, contributions))
        if errors:
            raise ValidationError(errors)
        return cls(
            title=texts["title"], samhallsutmaning=texts["samhallsutmaning"], goals=texts["goals"],
            target_group=texts["target_group"], period_start=start, period_end=end, initiated_on=initiated_on,
            public_contributions=public,
            ideburna=tuple(ideburna) or (PartyInput(None, "organisation_id", ()),),
        )


# ---------------------------------------------------------------- organisations

# The longest value each field of the organisation form keeps (the columns' lengths).
ORGANISATION_LIMITS = {"name": 300, "legal_form": 40, "street_address": 300, "city": 100, "contact_name": 200,
                       "contact_email": 254, "contact_phone": 40, "notes": 20_000}


@dataclass(frozen=True)
class OrganisationInput:
    """An organisation as a tenant registers it: the organisation's own data
    (name, number, form, address) and what the tenant records (contact, notes).
    ``confirm_existing`` is the id of an organisation already on the platform
    that the person has confirmed is the one they mean."""

    name: str
    organisationsnummer: str
    legal_form: str
    street_address: str
    postal_code: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    notes: str
    confirm_existing: int | None
    # The shape problems that do not matter when the number is already known
    # (the organisation's own data then stands): the name and legal form.
    own_data_errors: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_form(cls, data: Mapping[str, str]) -> OrganisationInput:
        errors: dict[str, str] = {}
        values = {key: clean_text(data.get(key)) for key in ORGANISATION_LIMITS}
        for key, limit in ORGANISATION_LIMITS.items():
            if message := too_long(values[key], limit):
                errors[key] = message
        number, message = check_organisationsnummer(data.get("organisationsnummer") or "")
        if message:
            errors["organisationsnummer"] = message
        own: dict[str, str] = {}
        if not values["name"]:
            own["name"] = "Skriv organisationens namn."
        if values["legal_form"] not in LEGAL_FORMS:
            own["legal_form"] = "Välj organisationsform."
        elif number and (mismatch := check_legal_form(number, values["legal_form"])):
            own["legal_form"] = mismatch
        email = values["contact_email"]
        if email and ("@" not in email or "." not in email.split("@")[-1]):
            errors["contact_email"] = "Skriv en e-postadress som namn@exempel.se."
        if (email or values["contact_phone"]) and not values["contact_name"]:
            errors["contact_name"] = "Skriv kontaktpersonens namn."
        postal = clean_text(data.get("postal_code")).replace(" ", "")
        if postal and not (postal.isascii() and postal.isdigit() and len(postal) == 5):
            errors["postal_code"] = "Skriv postnumret som fem siffror, till exempel 163 70."
            postal = ""
        if errors or (own and not number):
            raise ValidationError({**own, **errors})
        return cls(
            name=values["name"], organisationsnummer=number, legal_form=values["legal_form"],
            street_address=values["street_address"], postal_code=f"{postal[:3]} {postal[3:]}" if postal else "",
            city=values["city"], contact_name=values["contact_name"], contact_email=email,
            contact_phone=values["contact_phone"], notes=values["notes"],
            confirm_existing=parse_int(data.get("confirm_existing"), lowest=1),
            own_data_errors=tuple(own.items()),
        )


# ---------------------------------------------------------------- meetings


def _time(data: Mapping[str, str], field: str, errors: dict[str, str]) -> time | None:
    """A time of day as 13:30 (or 13.30, as Swedes often write it); empty is none."""
    raw = clean_text(data.get(field))
    if not raw:
        return None
    hours, sep, minutes = raw.replace(".", ":").partition(":")
    if (sep and hours.isascii() and hours.isdigit() and len(hours) <= 2 and minutes.isascii() and minutes.isdigit()
            and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        return time(int(hours), int(minutes))
    errors[field] = "Skriv tiden som TT:MM, till exempel 13:30."
    return None


def _text(data: Mapping[str, str], field: str, errors: dict[str, str], *, required: str = "",
          limit: int = MAX_TEXT) -> str:
    value = clean_text(data.get(field))
    if not value and required:
        errors[field] = required
    elif message := too_long(value, limit):
        errors[field] = message
    return value


@dataclass(frozen=True)
class MeetingInput:
    """A meeting as registered or changed: its kind (checked against the
    process by the service), date, optional time and place, who took part
    (or is called) and what was said."""

    kind: str
    held_on: date
    participants: str
    minutes: str
    starts_at: time | None = None
    place: str = ""

    @classmethod
    def from_form(cls, data: Mapping[str, str]) -> MeetingInput:
        errors: dict[str, str] = {}
        kind = clean_text(data.get("kind"))
        if not kind:
            errors["kind"] = "Välj vilken sorts möte det är."
        held_on = _date(data, "held_on", "datumet", errors)
        if held_on is None and "held_on" not in errors:
            errors["held_on"] = "Skriv mötets datum."
        starts_at = _time(data, "starts_at", errors)
        place = _text(data, "place", errors, limit=200)
        participants = _text(data, "participants", errors, required="Skriv vilka som deltog (eller är kallade).")
        minutes = _text(data, "minutes", errors)
        if errors:
            raise ValidationError(errors)
        return cls(kind=kind, held_on=held_on, participants=participants, minutes=minutes,
                   starts_at=starts_at, place=place)


@dataclass(frozen=True)
class MeetingHeldInput:
    """Marking a planned meeting held: who came and what was said."""

    participants: str
    minutes: str

    @classmethod
    def from_form(cls, data: Mapping[str, str]) -> MeetingHeldInput:
        errors: dict[str, str] = {}
        participants = _text(data, "participants", errors, required="Skriv vilka som deltog.")
        minutes = _text(data, "minutes", errors, required="Skriv vad mötet kom fram till.")
        if errors:
            raise ValidationError(errors)
        return cls(participants=participants, minutes=minutes)


@dataclass(frozen=True)
class MeetingCancelInput:
    reason: str

    @classmethod
    def from_form(cls, data: Mapping[str, str]) -> MeetingCancelInput:
        errors: dict[str, str] = {}
        reason = _text(data, "reason", errors, required="Skriv varför mötet ställs in.", limit=2000)
        if errors:
            raise ValidationError(errors)
        return cls(reason=reason)
