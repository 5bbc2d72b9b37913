import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";

export const webhookEvents = ["booking.created", "booking.cancelled", "booking.completed", "booking.rescheduled"] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** An integrator's receiver. The secret signs both the payload's signature field and the Standard Webhooks header. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    url: text("url").notNull(),
    description: varchar("description", { length: 200 }),
    events: jsonb("events").$type<WebhookEvent[]>().notNull(),
    // Standard Webhooks secret, "whsec_" + base64; null means THOTIS_WEBHOOK_SECRET signs.
    secret: text("secret"),
    active: boolean("active").notNull().default(true),
    disabledReason: text("disabled_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("webhook_endpoints_url_http", sql`${t.url} ~ '^https?://'`)],
);
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;

export const webhookDeliveryStatuses = ["pending", "delivered", "dead"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** One message to one endpoint. Its id is the webhook-id header, the same on every attempt and on replay. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    event: varchar("event", { length: 32 }).$type<WebhookEvent>().notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: varchar("status", { length: 16 }).$type<WebhookDeliveryStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_status_idx").on(t.status, t.createdAt),
    check("webhook_deliveries_status_known", sql`${t.status} in ('pending', 'delivered', 'dead')`),
  ],
);
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

/** Every HTTP attempt of a delivery, for the admin's delivery log. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    responseExcerpt: text("response_excerpt"),
    error: text("error"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt)],
);
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;
