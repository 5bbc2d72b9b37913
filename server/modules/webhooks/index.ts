import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import {
  CreatedEndpoint,
  CreateEndpointBody,
  DeliveriesQuery,
  Delivery,
  DeliveryDetail,
  DeliveryIdParams,
  DeliveryList,
  Endpoint,
  EndpointIdParams,
  UpdateEndpointBody,
} from "./model.ts";
import type { WebhookService } from "./service.ts";

const tags = ["Webhooks"];
const admin = ["admin"] as const;

/** Admin routes: webhook endpoints, their delivery log, replays and test messages. */
export function webhooksModule(deps: { auth: AuthPlugin; webhooks: WebhookService }) {
  const { webhooks } = deps;
  return new Elysia({ prefix: "/api/v2/webhooks" })
    .use(deps.auth)
    .post(
      "/",
      async ({ body, set }) => {
        const created = await webhooks.createEndpoint(body);
        set.status = 201;
        set.headers.location = `/api/v2/webhooks/${created.id}`;
        return ok(created);
      },
      {
        auth: admin,
        body: CreateEndpointBody,
        response: { 201: success(CreatedEndpoint), ...errors(400, 403) },
        detail: {
          tags,
          summary: "Register a webhook endpoint",
          description:
            "Booking events are POSTed to the URL, signed (payload `signature` field and Standard Webhooks headers). Without `secret` one is generated and returned once. " +
            "URLs resolving to private, loopback or link-local addresses are refused (WEBHOOK_URL_NOT_ALLOWED) unless WEBHOOK_ALLOW_PRIVATE=true.",
        },
      },
    )
    .get("/", async () => ok(await webhooks.listEndpoints()), {
      auth: admin,
      response: { 200: success(t.Array(Endpoint)), ...errors(403) },
      detail: { tags, summary: "List webhook endpoints", description: "Secrets are never shown." },
    })
    .get(
      "/deliveries",
      async ({ query }) =>
        ok(await webhooks.listDeliveries({ status: query.status, endpointId: query.endpointId, page: query.page ?? 1, limit: query.limit ?? 20 })),
      {
        auth: admin,
        query: DeliveriesQuery,
        response: { 200: success(DeliveryList), ...errors(400, 403) },
        detail: { tags, summary: "List webhook deliveries", description: "Newest first; filter by status (pending, delivered, dead) and endpoint." },
      },
    )
    .get("/deliveries/:id", async ({ params }) => ok(await webhooks.getDelivery(params.id)), {
      auth: admin,
      params: DeliveryIdParams,
      response: { 200: success(DeliveryDetail), ...errors(403, 404) },
      detail: { tags, summary: "Get a delivery with its payload and every attempt", description: "Each attempt: status code, latency, first 1 KB of the answer, error." },
    })
    .post("/deliveries/:id/replay", async ({ params }) => ok(await webhooks.replay(params.id)), {
      auth: admin,
      params: DeliveryIdParams,
      response: { 200: success(Delivery), ...errors(403, 404, 409) },
      detail: {
        tags,
        summary: "Send a delivered or dead delivery again",
        description: "Same webhook-id and payload (receivers de-duplicate on webhook-id), with a fresh retry schedule. 409 while it is still pending.",
      },
    })
    .get("/:id", async ({ params }) => ok(await webhooks.getEndpoint(params.id)), {
      auth: admin,
      params: EndpointIdParams,
      response: { 200: success(Endpoint), ...errors(403, 404) },
      detail: { tags, summary: "Get a webhook endpoint" },
    })
    .patch("/:id", async ({ params, body }) => ok(await webhooks.updateEndpoint(params.id, body)), {
      auth: admin,
      params: EndpointIdParams,
      body: UpdateEndpointBody,
      response: { 200: success(Endpoint), ...errors(400, 403, 404) },
      detail: { tags, summary: "Change a webhook endpoint", description: "active: true re-enables an endpoint disabled after a 410 Gone." },
    })
    .delete(
      "/:id",
      async ({ params }) => {
        await webhooks.deleteEndpoint(params.id);
        return ok({ id: params.id, deleted: true as const });
      },
      {
        auth: admin,
        params: EndpointIdParams,
        response: { 200: success(t.Object({ id: t.String(), deleted: t.Literal(true) })), ...errors(403, 404) },
        detail: { tags, summary: "Delete a webhook endpoint", description: "Its deliveries and their log go with it." },
      },
    )
    .post(
      "/:id/test",
      async ({ params, set }) => {
        set.status = 202;
        return ok(await webhooks.sendTest(params.id));
      },
      {
        auth: admin,
        params: EndpointIdParams,
        response: { 202: success(Delivery), ...errors(403, 404, 409) },
        detail: { tags, summary: "Send a signed test message", description: 'Event "webhook.test", delivered and retried like booking events.' },
      },
    );
}
