import { t } from "elysia";
import { webhookDeliveryStatuses, webhookEvents } from "../../../db/schema/index.ts";
import { characters, enumOf, limitParam, noOtherProperty, pageParam } from "../../lib/schema.ts";

const Event = enumOf(webhookEvents, { description: "Booking event the endpoint receives" });
const Url = t.String({ minLength: 1, maxLength: 2048, description: "http(s) URL; must resolve to a public address", examples: ["https://integrator.example/hooks/thotis"] });
const Secret = t.String({
  minLength: 1,
  maxLength: 200,
  description: 'Standard Webhooks secret, "whsec_" + base64 of 24 to 64 bytes',
  examples: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
});
const Description = t.String({ pattern: characters(0, 200), description: "At most 200 characters" });

export const CreateEndpointBody = t.Object(
  {
    url: Url,
    events: t.Array(Event, { minItems: 1, maxItems: webhookEvents.length * 2 }),
    secret: t.Optional(
      t.Nullable(Secret, {
        description: "Omit to get one generated (shown once in the answer); null to sign with the platform's THOTIS_WEBHOOK_SECRET",
      }),
    ),
    description: t.Optional(Description),
    active: t.Optional(t.Boolean({ description: "Default true" })),
  },
  { additionalProperties: noOtherProperty },
);

export const UpdateEndpointBody = t.Object(
  {
    url: t.Optional(Url),
    events: t.Optional(t.Array(Event, { minItems: 1, maxItems: webhookEvents.length * 2 })),
    secret: t.Optional(t.Nullable(Secret)),
    description: t.Optional(Description),
    active: t.Optional(t.Boolean({ description: "true re-enables an endpoint disabled after a 410 Gone" })),
  },
  { additionalProperties: noOtherProperty },
);

export const Endpoint = t.Object({
  id: t.String({ examples: ["wh_3kq9XbT0aLm2Vw8N"] }),
  url: t.String(),
  description: t.Nullable(t.String()),
  events: t.Array(Event),
  active: t.Boolean(),
  disabledReason: t.Nullable(t.String({ description: "Why it was disabled (410 Gone, or by an admin)" })),
  signingSecret: enumOf(["endpoint", "platform"], { description: "Its own secret, or THOTIS_WEBHOOK_SECRET" }),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
});

export const CreatedEndpoint = t.Composite([
  Endpoint,
  t.Object({ secret: t.Nullable(t.String({ description: "The signing secret; shown only in this answer" })) }),
]);

export const EndpointIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
export const DeliveryIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64, examples: ["msg_2Yk3q0c1n9W8x7v6u5t4sA"] }) });

export const Delivery = t.Object({
  id: t.String({ description: "Also the webhook-id header of every attempt" }),
  endpointId: t.String(),
  event: t.String({ examples: ["booking.created"] }),
  status: enumOf(webhookDeliveryStatuses),
  attempts: t.Integer(),
  lastStatusCode: t.Nullable(t.Integer()),
  lastError: t.Nullable(t.String()),
  createdAt: t.String({ format: "date-time" }),
  deliveredAt: t.Nullable(t.String({ format: "date-time" })),
});

/** The count of the list item becomes the attempts themselves. */
export const DeliveryDetail = t.Composite([
  t.Omit(Delivery, ["attempts"]),
  t.Object({
    payload: t.Record(t.String(), t.Unknown(), { description: "The payload as frozen when the event happened (without its signature)" }),
    attempts: t.Array(
      t.Object({
        attempt: t.Integer(),
        statusCode: t.Nullable(t.Integer()),
        latencyMs: t.Integer(),
        responseExcerpt: t.Nullable(t.String({ description: "First 1 KB of the receiver's answer" })),
        error: t.Nullable(t.String()),
        at: t.String({ format: "date-time" }),
      }),
    ),
  }),
]);

export const DeliveryList = t.Object({ items: t.Array(Delivery), total: t.Integer(), page: t.Integer(), limit: t.Integer() });

export const DeliveriesQuery = t.Object(
  {
    status: t.Optional(enumOf(webhookDeliveryStatuses)),
    endpointId: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
    page: pageParam,
    limit: limitParam,
  },
  { additionalProperties: noOtherProperty },
);
