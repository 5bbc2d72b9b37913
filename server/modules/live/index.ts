import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError, ErrorCode, forbidden } from "../../lib/errors.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import type { LiveBus, SlotsEvent } from "./bus.ts";
import type { StreamTokens } from "./stream-token.ts";

export const LIVE_STREAM_PATH = "/api/v2/live/availability";
/** Mentors one stream may follow: a directory page shows at most this many cards. */
export const MAX_STREAM_MENTORS = 50;
/**
 * A comment line this often keeps an idle stream open: Bun closes a connection after 10 s without traffic (its
 * default idleTimeout), and proxies do the same after their own delay. It carries no data; holds never depend on it.
 */
const HEARTBEAT_MS = 8_000;

const mentorId = t.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });
const StreamTokenBody = t.Object(
  { mentors: t.Array(mentorId, { minItems: 1, maxItems: MAX_STREAM_MENTORS, uniqueItems: true }) },
  { additionalProperties: false },
);
const StreamToken = t.Object({ token: t.String(), expiresAt: t.String({ format: "date-time" }), url: t.String() });

const encoder = new TextEncoder();

/**
 * Live availability: POST a stream token (any role token, a widget's included), then open
 * `GET /api/v2/live/availability?token=...` with EventSource. Each change of a followed mentor's slots arrives as an
 * `slots` event `{ studentProfileId, reason, start? }`; the client re-reads that mentor's availability. The stream
 * starts with a `ready` event, so a client that reconnects knows to re-read everything it shows.
 */
export function liveModule(deps: { auth: AuthPlugin; bus: LiveBus; streamTokens: StreamTokens }) {
  const { bus, streamTokens } = deps;
  let open = 0;
  // One timer for all the streams of the process, running only while some are open.
  const beats = new Set<() => void>();
  let beat: ReturnType<typeof setInterval> | undefined;
  const onBeat = (send: () => void) => {
    beats.add(send);
    beat ??= setInterval(() => {
      for (const b of beats) b();
    }, HEARTBEAT_MS);
    return () => {
      beats.delete(send);
      if (beats.size === 0) {
        clearInterval(beat);
        beat = undefined;
      }
    };
  };
  return new Elysia()
    .use(deps.auth)
    .post(
      "/api/v2/live/tokens",
      async ({ body, principal }) => {
        // A widget token minted for one mentor's page follows that mentor only.
        if (principal.role === "widget" && principal.studentProfileId && body.mentors.some((m) => m !== principal.studentProfileId)) {
          throw forbidden("This widget token is for another mentor's page");
        }
        const { token, expiresAt } = await streamTokens.sign(principal.sub, body.mentors);
        return ok({ token, expiresAt: expiresAt.toISOString(), url: `${LIVE_STREAM_PATH}?token=${encodeURIComponent(token)}` });
      },
      {
        auth: ["admin", "integrator", "mentor", "widget"],
        body: StreamTokenBody,
        response: { 200: success(StreamToken), ...errors(400, 403) },
        detail: {
          tags: ["Availability"],
          summary: "Mint a one-minute token to open a live availability stream",
          description:
            "EventSource cannot send headers: the stream's URL carries this token instead of your role token. It opens a stream within 60 s and is refused by every other route.",
        },
      },
    )
    .get(
      LIVE_STREAM_PATH,
      async ({ query, request }) => {
        const challenge = { "www-authenticate": 'Bearer realm="thotis"' };
        if (!query.token) throw new AppError(401, ErrorCode.UNAUTHORIZED, "A stream token is required (?token=, from POST /api/v2/live/tokens)", undefined, challenge);
        const mentors = await streamTokens.verify(query.token).catch(() => null);
        if (!mentors) throw new AppError(401, ErrorCode.INVALID_TOKEN, "The stream token is invalid or expired; request a new one", undefined, challenge);
        let unsubscribe = () => {};
        let unhook = () => {};
        let noBeat = () => {};
        let stopped = false;
        const stop = () => {
          if (stopped) return;
          stopped = true;
          open--;
          unsubscribe();
          unhook();
          noBeat();
        };
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            open++;
            const send = (text: string) => {
              try {
                controller.enqueue(encoder.encode(text));
              } catch {
                stop(); // the client went away
              }
            };
            // retry: how long EventSource waits before reconnecting on its own.
            send(`retry: 1000\nevent: ready\ndata: ${JSON.stringify({ mentors })}\n\n`);
            unsubscribe = bus.subscribe(mentors, (event: SlotsEvent) => send(`event: slots\ndata: ${JSON.stringify(event)}\n\n`));
            noBeat = onBeat(() => send(": keep-alive\n\n"));
            const end = () => {
              stop();
              try {
                controller.close();
              } catch {
                // already closed
              }
            };
            request.signal.addEventListener("abort", end);
            unhook = bus.onShutdown(end);
          },
          cancel() {
            stop();
          },
        });
        return new Response(stream, {
          headers: {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-store",
            "x-accel-buffering": "no",
          },
        });
      },
      {
        query: t.Object({ token: t.Optional(t.String({ maxLength: 4096 })) }),
        detail: {
          tags: ["Availability"],
          summary: "Live availability changes (Server-Sent Events)",
          description:
            "Open with a stream token from POST /api/v2/live/tokens in `token`. Events: `ready` on open (re-read what you show), then `slots` {studentProfileId, reason: booked|cancelled|held|released|changed, start?} after each committed change of a followed mentor's slots.",
        },
      },
    )
    .get("/api/v2/live/stats", () => ok({ streams: open, subscriptions: bus.size() }), {
      auth: ["admin"],
      detail: { tags: ["Availability"], summary: "Open live streams in this process" },
    });
}
