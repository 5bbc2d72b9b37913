import { t } from "elysia";
import { noOtherProperty } from "../../lib/schema.ts";

export const WidgetTokenBody = t.Object(
  {
    studentProfileId: t.Optional(
      t.String({ minLength: 1, maxLength: 64, description: "The mentor the widget will show (recorded in the token; must exist)" }),
    ),
    ttlSeconds: t.Optional(t.Integer({ minimum: 60, description: "Lifetime; at most WIDGET_TOKEN_TTL_SECONDS (default 3600)", examples: [1800] })),
  },
  { additionalProperties: noOtherProperty },
);

export const WidgetToken = t.Object({
  token: t.String({ description: "JWT of role widget: discovery, profiles and availability reads, booking creation; nothing else" }),
  expiresAt: t.String({ format: "date-time" }),
  role: t.Literal("widget"),
});
