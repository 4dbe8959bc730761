"""A booking from sign-up to payment, through the generated Python client alone.

Run by `tools/contract/run.sh flow` (`make contract-flow`) with the client that
openapi-python-client generated from the server's /openapi.json on the import path, and the
server's base URL as the only argument:

    register a mentor and a learner → sign both in → the mentor creates a paid session a
    few days ahead → the learner books a seat → pays → finds the booking in GET
    /api/v1/me/bookings → the mentor finds the booking's notification in GET
    /api/v1/me/notifications.

Every step checks the status code and that the client returned the typed model the
document promises, with the key fields right. A step whose answer the client cannot give
as that model (the generator dropped the model, or raised reading the answer) is a
failure; the flow then reads the ids it needs from the raw JSON body so the remaining
steps still run and the report lists every broken step, not only the first. Exits 1 when
any step failed.
"""

from __future__ import annotations

import datetime
import json
import secrets
import sys
import traceback
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import httpx
import lyceum_client.models
from lyceum_client import AuthenticatedClient, Client
from lyceum_client.api.community import list_my_notifications
from lyceum_client.api.identity import login, register
from lyceum_client.api.mentoring import book_session, create_session, list_my_bookings, pay_booking
from lyceum_client.models import LoginIn, Money, RegistrationIn, RegistrationRole, SessionIn
from lyceum_client.types import Response

PRICE_MINOR = 49_900
CURRENCY = "INR"
PASSWORD = f"Flow{secrets.token_hex(4)}A1"


def model(name: str) -> type | None:
    """A model class of the generated client, or None when the generator left it out."""
    found = getattr(lyceum_client.models, name, None)
    return found if isinstance(found, type) else None


def enum_value(value: Any) -> Any:
    """The wire value of a generated enum member (or the value itself)."""
    return getattr(value, "value", value)


class Flow:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.number = 0
        # The last HTTP answer, seen through an httpx event hook of the generated clients:
        # when the client raises while reading an answer, its body still tells what came.
        self.last: httpx.Response | None = None

    def seen(self, response: httpx.Response) -> None:
        self.last = response

    def httpx_args(self) -> dict[str, Any]:
        return {"event_hooks": {"response": [self.seen]}}

    def step(
        self,
        title: str,
        call: Callable[[], Response[Any]],
        status: HTTPStatus,
        model_name: str,
        check: Callable[[Any], list[str]],
    ) -> Any:
        """Runs one call; returns the typed result, or the raw JSON when the client could
        not give it (the step is then a failure), or None when there is nothing to go on."""
        self.number += 1
        label = f"{self.number}. {title}"
        self.last = None
        try:
            response = call()
        except Exception as error:  # noqa: BLE001 - any exception of the client is a finding
            answer = self.last
            where = client_frame(error)
            if answer is None or answer.status_code != status:
                got = f"after a {answer.status_code} answer" if answer is not None else "before any answer"
                self.fail(label, f"the generated client raised {type(error).__name__} {got}: {error} ({where})")
                return None
            # The server answered as expected but the client cannot read it: a failure, and
            # the raw body keeps the flow going.
            self.fail(
                label,
                f"answered {status.value}, but the generated client raised {type(error).__name__} reading it "
                f"as {model_name}: {error} ({where})",
            )
            result = self.raw_json(answer.content)
            problems = check(result) if result is not None else ["the body is not JSON"]
            if problems:
                self.fail(label, "; ".join(problems))
            return result
        raw = self.raw_json(response.content)
        if response.status_code != status:
            self.fail(label, f"answered {int(response.status_code)}, expected {int(status)}: {self.excerpt(response)}")
            return None
        expected = model(model_name)
        parsed = response.parsed
        if expected is None:
            self.fail(
                label,
                f"answered {int(status)}, but the generated client has no {model_name} model "
                "(openapi-python-client dropped it: see `run.sh clients`); parsed as "
                f"{type(parsed).__name__}",
            )
            result = raw
        elif not isinstance(parsed, expected):
            self.fail(label, f"answered {int(status)}, but the client gave {type(parsed).__name__}, not {model_name}")
            result = raw
        else:
            result = parsed
        problems = check(result)
        if problems:
            self.fail(label, "; ".join(problems))
        elif result is parsed:
            print(f"ok    {label}: {int(status)} {model_name}")
        return result

    @staticmethod
    def raw_json(content: bytes) -> Any:
        try:
            return json.loads(content)
        except ValueError:
            return None

    @staticmethod
    def excerpt(response: Response[Any]) -> str:
        text = response.content.decode("utf-8", "replace")
        return text if len(text) <= 400 else text[:400] + " […]"

    def fail(self, label: str, why: str) -> None:
        self.failures.append(f"{label}: {why}")
        print(f"FAIL  {label}: {why}")


def client_frame(error: BaseException) -> str:
    """Where in the generated client an exception came from: its innermost frame there."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "lyceum_client" in f.filename]
    if not frames:
        return "outside the generated client"
    frame = frames[-1]
    path = frame.filename[frame.filename.rindex("lyceum_client") :]
    return f"{path}:{frame.lineno}: {(frame.line or '').strip()}"


def field(result: Any, name: str) -> Any:
    """A field of a typed model or, when the step fell back to it, of the raw JSON."""
    if isinstance(result, dict):
        return result.get(name)
    return getattr(result, name, None)


def expect(problems: list[str], what: str, actual: Any, wanted: Any) -> None:
    actual = enum_value(actual)
    if isinstance(actual, uuid.UUID) and isinstance(wanted, str):
        actual = str(actual)
    if actual != wanted:
        problems.append(f"{what} is {actual!r}, expected {wanted!r}")


def main(base_url: str) -> int:
    flow = Flow()
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=False, httpx_args=flow.httpx_args())
    suffix = secrets.token_hex(3)
    people: dict[str, dict[str, Any]] = {}

    # 1-2. Sign up a mentor and a learner.
    for role in ("mentor", "learner"):
        username = f"flow{role[:6]}{suffix}"
        body = RegistrationIn(
            email=f"flow-{role}-{suffix}@example.com",
            username=username,
            password=PASSWORD,
            first_name="Flow",
            last_name=role.capitalize(),
            role=RegistrationRole(role),
        )

        def registered(user: Any, role: str = role, username: str = username) -> list[str]:
            problems: list[str] = []
            expect(problems, "username", field(user, "username"), username)
            roles = [enum_value(r) for r in field(user, "roles") or []]
            if role not in roles:
                problems.append(f"roles are {roles}, expected to include {role!r}")
            return problems

        user = flow.step(
            f"POST /api/v1/auth/register as a {role}",
            lambda body=body: register.sync_detailed(client=anonymous, body=body),
            HTTPStatus.CREATED,
            "UserOut",
            registered,
        )
        people[role] = {"username": username, "id": field(user, "id") if user is not None else None}

    # 3-4. Sign both in.
    for role, person in people.items():
        tokens = flow.step(
            f"POST /api/v1/auth/login as the {role}",
            lambda person=person: login.sync_detailed(
                client=anonymous, body=LoginIn(login=person["username"], password=PASSWORD)
            ),
            HTTPStatus.OK,
            "TokenPairOut",
            lambda tokens: (
                []
                if field(tokens, "token_type") == "Bearer" and field(tokens, "access_token")
                else [f"token_type {field(tokens, 'token_type')!r} and an access_token expected"]
            ),
        )
        token = field(tokens, "access_token") if tokens is not None else None
        if not token:
            return report(flow, f"cannot go on without the {role}'s access token")
        person["client"] = AuthenticatedClient(
            base_url=base_url, token=token, raise_on_unexpected_status=False, httpx_args=flow.httpx_args()
        )
    mentor, learner = people["mentor"], people["learner"]

    # 5. The mentor creates a paid group session three days ahead, on the hour.
    starts_at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)).replace(
        minute=0, second=0, microsecond=0
    )
    title = f"Ownership in Rust ({suffix})"
    session_in = SessionIn(
        title=title,
        duration_minutes=60,
        price=Money(amount_minor=PRICE_MINOR, currency=CURRENCY),
        capacity=3,
        starts_at=starts_at,
        description="Borrowing, lifetimes and the drop order, with exercises.",
    )

    def created(session: Any) -> list[str]:
        problems: list[str] = []
        expect(problems, "title", field(session, "title"), title)
        if mentor["id"] is not None:
            expect(problems, "mentor_id", field(session, "mentor_id"), str(mentor["id"]))
        price = field(session, "price")
        expect(problems, "price.amount_minor", field(price, "amount_minor"), PRICE_MINOR)
        expect(problems, "price.currency", field(price, "currency"), CURRENCY)
        expect(problems, "capacity", field(session, "capacity"), 3)
        expect(problems, "seats_left", field(session, "seats_left"), 3)
        expect(problems, "status", field(session, "status"), "scheduled")
        return problems

    session = flow.step(
        "POST /api/v1/mentoring-sessions as the mentor (paid, 3 days ahead)",
        lambda: create_session.sync_detailed(client=mentor["client"], body=session_in),
        HTTPStatus.CREATED,
        "SessionOut",
        created,
    )
    session_id = field(session, "id") if session is not None else None
    if session_id is None:
        return report(flow, "cannot go on without the session's id")

    # 6. The learner books a seat: pending, its seat held until paid.
    def booked(booking: Any) -> list[str]:
        problems: list[str] = []
        expect(problems, "session_id", field(booking, "session_id"), str(session_id))
        if learner["id"] is not None:
            expect(problems, "learner_id", field(booking, "learner_id"), str(learner["id"]))
        expect(problems, "status", field(booking, "status"), "pending")
        expect(problems, "payment_status", field(booking, "payment_status"), "pending")
        amount = field(booking, "amount")
        expect(problems, "amount.amount_minor", field(amount, "amount_minor"), PRICE_MINOR)
        if not field(booking, "hold_expires_at"):
            problems.append("hold_expires_at is missing on a pending paid booking")
        return problems

    booking = flow.step(
        "POST /api/v1/mentoring-sessions/{id}/bookings as the learner",
        lambda: book_session.sync_detailed(
            uuid.UUID(str(session_id)), client=learner["client"], idempotency_key=f"flow-{suffix}"
        ),
        HTTPStatus.CREATED,
        "BookingOut",
        booked,
    )
    booking_id = field(booking, "id") if booking is not None else None
    if booking_id is None:
        return report(flow, "cannot go on without the booking's id")
    booking_id = str(booking_id)

    # 7. The learner pays: confirmed and paid, with a payment reference.
    def paid(booking: Any) -> list[str]:
        problems: list[str] = []
        expect(problems, "id", field(booking, "id"), booking_id)
        expect(problems, "status", field(booking, "status"), "confirmed")
        expect(problems, "payment_status", field(booking, "payment_status"), "paid")
        if not field(booking, "payment_reference"):
            problems.append("payment_reference is missing on a paid booking")
        return problems

    flow.step(
        "POST /api/v1/bookings/{id}/pay as the learner",
        lambda: pay_booking.sync_detailed(uuid.UUID(booking_id), client=learner["client"]),
        HTTPStatus.OK,
        "BookingOut",
        paid,
    )

    # 8. The learner's bookings list it, confirmed.
    def listed(page: Any) -> list[str]:
        items = field(page, "items") or []
        mine = [item for item in items if str(field(item, "id")) == booking_id]
        if not mine:
            return [f"booking {booking_id} is not among the {len(items)} listed"]
        problems: list[str] = []
        expect(problems, "its status", field(mine[0], "status"), "confirmed")
        return problems

    flow.step(
        "GET /api/v1/me/bookings as the learner",
        lambda: list_my_bookings.sync_detailed(client=learner["client"]),
        HTTPStatus.OK,
        "BookingPage",
        listed,
    )

    # 9. The mentor was told about the booking.
    def notified(page: Any) -> list[str]:
        items = field(page, "items") or []
        about = [
            item
            for item in items
            if field(item, "kind") == "booking_confirmed"
            and str((field(item, "data") or {}).get("booking_id")) == booking_id
        ]
        if not about:
            kinds = [field(item, "kind") for item in items]
            return [f"no booking_confirmed notification for booking {booking_id} among {kinds}"]
        return []

    flow.step(
        "GET /api/v1/me/notifications as the mentor",
        lambda: list_my_notifications.sync_detailed(client=mentor["client"]),
        HTTPStatus.OK,
        "NotificationPage",
        notified,
    )
    return report(flow)


def report(flow: Flow, stopped: str | None = None) -> int:
    if stopped:
        flow.failures.append(f"stopped: {stopped}")
        print(f"STOP  {stopped}")
    if flow.failures:
        print(f"flow: {len(flow.failures)} problem(s) in {flow.number} step(s):")
        for failure in flow.failures:
            print(f"  - {failure}")
        return 1
    print(f"flow: all {flow.number} steps passed through the generated client")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: flow.py BASE_URL")
    sys.exit(main(sys.argv[1].rstrip("/")))
