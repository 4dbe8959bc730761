// Proof that the TypeScript types generated from docs/openapi.json are usable: run.sh
// clients copies this file next to them (./lyceum-api.d.ts, from openapi-typescript) and
// runs `tsc --noEmit --strict` on it. Nothing here runs; it only has to type-check.
import type { components, paths } from "./lyceum-api";

type Schemas = components["schemas"];

// The JSON body of a request or response, whatever its exact media type
// (`application/json`, `application/json; charset=utf-8`, …).
type JsonOf<T> = T extends { content: infer C } ? C[keyof C] : never;

type CreateSession = paths["/api/v1/mentoring-sessions"]["post"];
type BookSession = paths["/api/v1/mentoring-sessions/{id}/bookings"]["post"];
type MyBookings = paths["/api/v1/me/bookings"]["get"];

// A mentor's new paid group session, as a client would write it: optional fields left out.
const session: Schemas["SessionIn"] = {
  title: "Ownership in Rust",
  duration_minutes: 60,
  price: { amount_minor: 49_900, currency: "INR" },
  capacity: 5,
  starts_at: "2030-01-15T14:00:00Z",
};
const createBody: JsonOf<NonNullable<CreateSession["requestBody"]>> = session;

// Booking a seat: the session id in the path, an optional Idempotency-Key header.
const bookParameters: BookSession["parameters"] = {
  path: { id: "7f9c24e8-3b12-4d0a-9d8e-0a6c1f2b3c4d" },
  header: { "Idempotency-Key": "book-ownership-1" },
};

// Reading what came back: the 201 of a booking and a page of my bookings are BookingOut.
type Booked = JsonOf<BookSession["responses"][201]>;
type MyBookingsPage = JsonOf<MyBookings["responses"][200]>;

function describeBooking(booking: Schemas["BookingOut"]): string {
  const status: Schemas["BookingStatus"] = booking.status;
  const paid: boolean = booking.payment_status === "paid";
  const price = `${booking.amount.amount_minor} ${booking.amount.currency}`;
  // Optional fields may be absent (or null): a reader has to handle both.
  const holdUntil: string = booking.hold_expires_at ?? "no hold";
  return `${booking.id} for session ${booking.session_id}: ${status}, ${paid ? "paid" : "unpaid"}, ${price}, ${holdUntil}`;
}

function firstBooking(page: MyBookingsPage): string | undefined {
  const booking: Schemas["BookingOut"] | undefined = page.items[0];
  return booking === undefined ? undefined : describeBooking(booking);
}

function afterBooking(booked: Booked): string {
  return describeBooking(booked);
}

// A problem+json error, as every failure is.
function problemCode(problem: Schemas["Problem"]): string {
  return `${problem.status} ${problem.code}`;
}

export { afterBooking, bookParameters, createBody, firstBooking, problemCode };
