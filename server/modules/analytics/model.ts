import { t } from "elysia";
import { enumOf, noOtherProperty } from "../../lib/schema.ts";

/** Events the widget and integrators report; booking and rating events are recorded by the server itself. */
export const clientEventNames = ["widget_opened", "profile_viewed", "availability_viewed", "slot_chosen"] as const;

export const RecordEventBody = t.Object(
  {
    name: enumOf(clientEventNames, { description: "What happened" }),
    studentProfileId: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "The mentor concerned, if any" })),
    distinctId: t.Optional(
      t.String({ minLength: 1, maxLength: 128, description: "The visitor's anonymous id (kept by the widget), so the funnel counts people" }),
    ),
    properties: t.Optional(
      t.Record(
        t.String({ pattern: "^[A-Za-z][A-Za-z0-9_]{0,39}$" }),
        t.Union([t.String({ maxLength: 200 }), t.Number(), t.Boolean(), t.Null()]),
        {
          maxProperties: 20,
          // Keys outside the pattern are refused (400), not silently dropped by input normalisation.
          additionalProperties: noOtherProperty,
          description: "A small flat object: at most 20 keys, values are strings (≤ 200), numbers, booleans or null",
        },
      ),
    ),
  },
  { additionalProperties: noOtherProperty },
);

export const RecordedEvent = t.Object({ id: t.Integer() });

export const FunnelQuery = t.Object({
  from: t.Optional(t.String({ format: "date-time", description: "Start (inclusive); default 30 days before `to`" })),
  to: t.Optional(t.String({ format: "date-time", description: "End (exclusive); default now" })),
  studentProfileId: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "Only this mentor's events" })),
});

const rate = t.Nullable(t.Number({ minimum: 0, description: "Fraction; null when the step before had nobody" }));

export const Funnel = t.Object({
  from: t.String({ format: "date-time" }),
  to: t.String({ format: "date-time" }),
  studentProfileId: t.Nullable(t.String()),
  steps: t.Array(t.Object({ name: enumOf(["widget_opened", "slot_chosen", "booking_created"]), count: t.Integer({ minimum: 0 }) })),
  conversion: t.Object({
    slotChosenRate: rate,
    bookedRate: rate,
    overallRate: rate,
  }),
});
