import { t } from "elysia";
import { noOtherProperty } from "../../lib/schema.ts";

const hhmm = t.String({ pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", examples: ["09:00"] });
const TimeRange = t.Object({ start: hhmm, end: hhmm }, { additionalProperties: noOtherProperty });

export const ScheduleBody = t.Object(
  {
    timeZone: t.String({ minLength: 1, maxLength: 64, description: "IANA time zone of the mentor", examples: ["Europe/Paris"] }),
    weekly: t.Array(
      t.Object(
        {
          weekday: t.Integer({ minimum: 1, maximum: 7, description: "ISO weekday: 1 = Monday ... 7 = Sunday" }),
          ranges: t.Array(TimeRange, { maxItems: 12 }),
        },
        { additionalProperties: noOtherProperty },
      ),
      { maxItems: 7, examples: [[{ weekday: 1, ranges: [{ start: "17:00", end: "19:00" }] }]] },
    ),
    overrides: t.Optional(
      t.Array(
        t.Object(
          {
            date: t.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Local date; no ranges means a day off" }),
            ranges: t.Array(TimeRange, { maxItems: 12 }),
          },
          { additionalProperties: noOtherProperty },
        ),
        { maxItems: 366 },
      ),
    ),
    outOfOffice: t.Optional(
      t.Array(
        t.Object({ start: t.String({ format: "date-time" }), end: t.String({ format: "date-time" }) }, { additionalProperties: noOtherProperty }),
        { maxItems: 100 },
      ),
    ),
  },
  { additionalProperties: noOtherProperty },
);
export type ScheduleBody = typeof ScheduleBody.static;

export const ScheduleResponse = t.Object({
  studentProfileId: t.String(),
  timeZone: t.String(),
  weekly: t.Array(t.Object({ weekday: t.Integer(), ranges: t.Array(t.Object({ start: t.String(), end: t.String() })) })),
  overrides: t.Array(t.Object({ date: t.String(), ranges: t.Array(t.Object({ start: t.String(), end: t.String() })) })),
  outOfOffice: t.Array(t.Object({ start: t.String(), end: t.String() })),
  configured: t.Boolean({ description: "False until the mentor saves a schedule" }),
  updatedAt: t.Nullable(t.String({ format: "date-time" })),
});
export type ScheduleResponse = typeof ScheduleResponse.static;

export const AvailabilityQuery = t.Object(
  {
    start: t.Optional(t.String({ format: "date-time", description: "Default: now" })),
    end: t.Optional(t.String({ format: "date-time", description: "Default and maximum: 30 days from now" })),
    timeZone: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "Zone for the local times; default the mentor's" })),
    rescheduleBookingId: t.Optional(t.Integer({ minimum: 1, description: "The booking being moved does not block its own alternatives" })),
    format: t.Optional(t.UnionEnum(["full", "compact"], { description: "full (default): one object per slot; compact: slot starts and offsets" })),
    visitorId: t.Optional(t.String({ pattern: "^[\\x21-\\x7E]{1,128}$", description: "The widget visitor's id: their own held slot stays offered to them" })),
  },
  { additionalProperties: noOtherProperty },
);

export const Slot = t.Object({
  start: t.String({ format: "date-time", examples: ["2026-12-01T16:00:00.000Z"] }),
  end: t.String({ format: "date-time" }),
  localStart: t.String({ description: "Wall-clock start in the requested zone", examples: ["2026-12-01T17:00"] }),
  localEnd: t.String(),
  utcOffset: t.String({ examples: ["+01:00"] }),
  available: t.Boolean(),
});

export const AvailabilityResponse = t.Object({
  studentProfileId: t.String(),
  timeZone: t.String({ description: "Zone of localStart/localEnd" }),
  mentorTimeZone: t.String(),
  start: t.String({ format: "date-time" }),
  end: t.String({ format: "date-time" }),
  slots: t.Array(Slot),
});
export type AvailabilityResponse = typeof AvailabilityResponse.static;

/** ?format=compact: localStart = start + the utcOffset in force from that slot on; end = start + slotMinutes. */
export const CompactAvailabilityResponse = t.Object({
  studentProfileId: t.String(),
  timeZone: t.String({ description: "Zone of utcOffsets" }),
  mentorTimeZone: t.String(),
  start: t.String({ format: "date-time" }),
  end: t.String({ format: "date-time" }),
  format: t.Literal("compact"),
  slotMinutes: t.Integer({ examples: [15] }),
  slotStarts: t.Array(t.String({ examples: ["2026-12-01T16:00Z"] })),
  utcOffsets: t.Array(t.Object({ from: t.String({ examples: ["2026-12-01T16:00Z"] }), utcOffset: t.String({ examples: ["+01:00"] }) })),
});
