"""Callback data, one typed codec per feature (bot/presentation/codec.py). A keyboard encodes a
value; the handler's pattern and its body decode the same value. Data that decodes to nothing
(forged, someone else's, from an older release) matches no feature's pattern and reaches the one
stale-button answer (bot/handlers/access.py: stale_button), registered last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from bot.domain.desk import Reason
from bot.domain.kinds import PreferredDays
from bot.i18n import LANGUAGES
from bot.presentation.codec import Codec
from bot.services.figures import By
from bot.services.summonses import DECLINE_REASONS

Verdict = Literal["ok", "no"]
YesNo = Literal["yes", "no"]


# Everyone: language and role (bot/handlers/common.py)
@dataclass(frozen=True)
class ChooseLanguage:
    code: Annotated[str, "|".join(LANGUAGES)]


@dataclass(frozen=True)
class ChooseRole:
    role: Literal["teen", "parent"]


LANGUAGE: Codec[ChooseLanguage] = Codec(("lang:{code}", ChooseLanguage))
ROLE: Codec[ChooseRole] = Codec(("role:{role}", ChooseRole))


# /daftar: consent and preferred days (bot/handlers/self_registration.py)
@dataclass(frozen=True)
class Consent:
    answer: YesNo


@dataclass(frozen=True)
class Preference:
    days: PreferredDays


CONSENT: Codec[Consent] = Codec(("consent:{answer}", Consent))
PREFERENCE: Codec[Preference] = Codec(("pref:{days}", Preference))


# /hapus (bot/handlers/privacy.py)
@dataclass(frozen=True)
class Erase:
    answer: YesNo


ERASE: Codec[Erase] = Codec(("erase:{answer}", Erase))


# Under a summons (bot/presentation/summons.py, bot/handlers/summons.py): ✅ ok, ❌ no (then its
# reason), 🏠 hv, 🔁 mv (then to.<session>), 📅 ics, ↩️ bk.
_SUMMONS_ACTIONS = r"ok|no(?:\.(?:{reasons}))?|hv|mv|ics|bk|to\.\d{{1,9}}".format(
    reasons="|".join(DECLINE_REASONS)
)


@dataclass(frozen=True)
class SummonsPress:
    """`action` is a verb ("ok", "no", "to", ...), with its argument after a dot ("no.sick")."""

    summons_id: int
    revision: int
    action: Annotated[str, _SUMMONS_ACTIONS]

    @property
    def verb(self) -> str:
        return self.action.partition(".")[0]

    @property
    def argument(self) -> str | None:
        return self.action.partition(".")[2] or None


SUMMONS: Codec[SummonsPress] = Codec(("sm:{summons_id}:{revision}:{action}", SummonsPress))


# A waiting-list offer (bot/presentation/summons.py, bot/handlers/waiting.py)
@dataclass(frozen=True)
class TakeOffer:
    entry_id: int
    session_id: int


WAITING: Codec[TakeOffer] = Codec(("wl:{entry_id}:{session_id}", TakeOffer))


# A guardian's links (bot/handlers/parents.py, bot/handlers/unlinking.py)
@dataclass(frozen=True)
class AskNik:
    pass


@dataclass(frozen=True)
class AskRemove:
    link_id: int


@dataclass(frozen=True)
class Remove:
    link_id: int


@dataclass(frozen=True)
class Keep:
    pass


@dataclass(frozen=True)
class Disown:
    link_id: int


Guardians = AskNik | AskRemove | Remove | Keep | Disown
GUARDIANS: Codec[Guardians] = Codec(
    ("pa:nik", AskNik),
    ("pa:rm:{link_id}", AskRemove),
    ("pa:rmok:{link_id}", Remove),
    ("pa:keep", Keep),
    ("pa:no:{link_id}", Disown),
)


# Staff: a parent's NIK request (bot/handlers/staff_parent_links.py)
@dataclass(frozen=True)
class DecideLink:
    verdict: Verdict
    request_id: int


LINK_REQUESTS: Codec[DecideLink] = Codec(("pl:{verdict}:{request_id}", DecideLink))


# Admins: a request to become staff through an invitation link (bot/handlers/staff_invites.py)
@dataclass(frozen=True)
class DecideInvite:
    verdict: Verdict
    invite_id: int


STAFF_INVITES: Codec[DecideInvite] = Codec(("si:{verdict}:{invite_id}", DecideInvite))


# Staff: the /staf menu (bot/handlers/staff.py)
MenuName = Literal[
    "today",
    "attend",
    "desk",
    "broadcast",
    "sessions",
    "summon",
    "stats",
    "parents",
    "review",
    "homevisits",
    "dasbor",
    "staff",
]


@dataclass(frozen=True)
class MenuItem:
    item: MenuName


STAFF_MENU: Codec[MenuItem] = Codec(("st:{item}", MenuItem))


# Staff: attendance on another day than the session's, and figures by area (bot/handlers/staff.py)
@dataclass(frozen=True)
class OtherDay:
    verdict: Verdict
    code: Annotated[str, r"[A-Za-z0-9]{4,16}"]


@dataclass(frozen=True)
class FiguresBy:
    by: By


ATTENDANCE: Codec[OtherDay] = Codec(("at:{verdict}:{code}", OtherDay))
FIGURES: Codec[FiguresBy] = Codec(("fig:{by}", FiguresBy))


# Staff: the recording desk (bot/handlers/staff_desk.py)
@dataclass(frozen=True)
class DeskPick:
    target_id: int


@dataclass(frozen=True)
class DeskOutcome:
    """r: recorded, n: came but not recorded (asks why), u: undo recorded."""

    outcome: Literal["r", "n", "u"]
    target_id: int


@dataclass(frozen=True)
class DeskReason:
    target_id: int
    reason: Reason


@dataclass(frozen=True)
class DeskUndo:
    """The undo asked about first: yes, take the mark back; no, leave it."""

    answer: YesNo
    target_id: int


Desk = DeskPick | DeskOutcome | DeskReason | DeskUndo
DESK: Codec[Desk] = Codec(
    ("dk:p:{target_id}", DeskPick),
    ("dk:nr:{target_id}:{reason}", DeskReason),
    ("dk:undo:{answer}:{target_id}", DeskUndo),
    ("dk:{outcome}:{target_id}", DeskOutcome),
)


# Staff: /tinjau (bot/handlers/staff_review.py)
@dataclass(frozen=True)
class DecideReview:
    verdict: Verdict
    item_id: int


REVIEW: Codec[DecideReview] = Codec(("rv:{verdict}:{item_id}", DecideReview))


# Staff: /siaran (bot/handlers/staff_broadcast.py)
@dataclass(frozen=True)
class PickAudience:
    kind: Literal["session", "kelurahan", "school"]


@dataclass(frozen=True)
class Everyone:
    pass


@dataclass(frozen=True)
class AudienceChoice:
    """s: a session's, k: a kelurahan's, c: a school's."""

    kind: Literal["s", "k", "c"]
    value_id: int


@dataclass(frozen=True)
class SendBroadcast:
    choice: Literal["send", "drop"]


Broadcast = PickAudience | Everyone | AudienceChoice | SendBroadcast
BROADCAST: Codec[Broadcast] = Codec(
    ("bc:pick:{kind}", PickAudience),
    ("bc:all", Everyone),
    ("bc:{kind}:{value_id}", AudienceChoice),
    ("bc:{choice}", SendBroadcast),
)


# Staff: sessions, listed, planned and changed (bot/handlers/staff_sessions.py, staff_plan.py)
@dataclass(frozen=True)
class ShowSession:
    session_id: int


@dataclass(frozen=True)
class NewSession:
    pass


@dataclass(frozen=True)
class NewSessionAt:
    place_id: int


@dataclass(frozen=True)
class CreateSession:
    pass


@dataclass(frozen=True)
class AddSeats:
    session_id: int


@dataclass(frozen=True)
class MoveSession:
    session_id: int


@dataclass(frozen=True)
class CancelSession:
    session_id: int


@dataclass(frozen=True)
class ApplyMove:
    pass


@dataclass(frozen=True)
class ApplyCancel:
    session_id: int


@dataclass(frozen=True)
class DropChange:
    pass


Sessions = (
    ShowSession
    | NewSession
    | NewSessionAt
    | CreateSession
    | AddSeats
    | MoveSession
    | CancelSession
    | ApplyMove
    | ApplyCancel
    | DropChange
)
SESSIONS: Codec[Sessions] = Codec(
    ("ss:{session_id}", ShowSession),
    ("ss:new", NewSession),
    ("ss:np:{place_id}", NewSessionAt),
    ("ss:newok", CreateSession),
    ("ss:cap:{session_id}", AddSeats),
    ("ss:mv:{session_id}", MoveSession),
    ("ss:cx:{session_id}", CancelSession),
    ("ss:mvok", ApplyMove),
    ("ss:cxok:{session_id}", ApplyCancel),
    ("ss:drop", DropChange),
)


# Staff: /panggil, run or drop (bot/handlers/staff_plan.py)
@dataclass(frozen=True)
class RunSummons:
    choice: Literal["run", "drop"]


SUMMONING: Codec[RunSummons] = Codec(("pg:{choice}", RunSummons))


# Staff: home visits (bot/handlers/staff_home_visits.py)
@dataclass(frozen=True)
class PickVisit:
    visit_id: int


@dataclass(frozen=True)
class VisitOutcome:
    visit_id: int
    how: Literal["rec", "away", "fail"]


HomeVisits = PickVisit | VisitOutcome
HOME_VISITS: Codec[HomeVisits] = Codec(
    ("kr:pick:{visit_id}", PickVisit),
    ("kr:done:{visit_id}:{how}", VisitOutcome),
)

# Every codec, for the tests that check each one round-trips and refuses garbage.
CODECS: tuple[Codec[Any], ...] = (
    LANGUAGE,
    ROLE,
    CONSENT,
    PREFERENCE,
    ERASE,
    SUMMONS,
    WAITING,
    GUARDIANS,
    LINK_REQUESTS,
    STAFF_INVITES,
    STAFF_MENU,
    ATTENDANCE,
    FIGURES,
    DESK,
    REVIEW,
    BROADCAST,
    SESSIONS,
    SUMMONING,
    HOME_VISITS,
)
