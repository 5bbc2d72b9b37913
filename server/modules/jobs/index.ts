import { Elysia, t } from "elysia";
import { jobStatuses } from "../../../db/schema/index.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import { conflict, ErrorCode } from "../../lib/errors.ts";
import { enumOf, limitParam, pageParam } from "../../lib/schema.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";

const tags = ["Admin"];

const Job = t.Object({
  id: t.Integer(),
  kind: t.String(),
  status: t.String(),
  payload: t.Record(t.String(), t.Unknown()),
  attempts: t.Integer(),
  maxAttempts: t.Integer(),
  runAt: t.Date(),
  lastError: t.Nullable(t.String()),
  createdAt: t.Date(),
  finishedAt: t.Nullable(t.Date()),
});

const view = (j: Awaited<ReturnType<JobQueue["list"]>>["items"][number]) => ({
  id: j.id,
  kind: j.kind,
  status: j.status,
  payload: j.payload,
  attempts: j.attempts,
  maxAttempts: j.maxAttempts,
  runAt: j.runAt,
  lastError: j.lastError,
  createdAt: j.createdAt,
  finishedAt: j.finishedAt,
});

/** Admins watch the durable queue: what waits, what failed for good (dead letter), and put dead jobs back. */
export function jobsModule(deps: { auth: AuthPlugin; queue: JobQueue }) {
  const { queue } = deps;
  return new Elysia({ prefix: "/api/v2/admin/jobs" })
    .use(deps.auth)
    .get(
      "/",
      async ({ query }) => {
        const page = query.page ?? 1;
        const limit = query.limit ?? 20;
        const [{ items, total }, stats] = await Promise.all([
          queue.list({ status: query.status, kind: query.kind, limit, offset: (page - 1) * limit }),
          queue.stats(),
        ]);
        return ok({ items: items.map(view), total, page, limit, stats });
      },
      {
        auth: ["admin"],
        query: t.Object({
          status: t.Optional(enumOf(jobStatuses)),
          kind: t.Optional(t.String({ maxLength: 64 })),
          page: pageParam,
          limit: limitParam,
        }),
        response: {
          200: success(
            t.Object({
              items: t.Array(Job),
              total: t.Integer(),
              page: t.Integer(),
              limit: t.Integer(),
              stats: t.Object({
                pending: t.Integer(),
                due: t.Integer(),
                running: t.Integer(),
                dead: t.Integer(),
                succeeded: t.Integer(),
                oldestDueSeconds: t.Nullable(t.Number()),
              }),
            }),
          ),
          ...errors(400, 401, 403),
        },
        detail: { tags, summary: "List background jobs", description: "Newest first. `status=dead` is the dead-letter list; `stats.due` is the queue depth." },
      },
    )
    .post(
      "/:id/replay",
      async ({ params }) => {
        const job = await queue.replay(params.id);
        if (!job) throw conflict(ErrorCode.CONFLICT, `Job ${params.id} does not exist or is still pending or running`);
        return ok(view(job));
      },
      {
        auth: ["admin"],
        params: t.Object({ id: t.Integer({ minimum: 1 }) }),
        response: { 200: success(Job), ...errors(400, 401, 403, 409) },
        detail: { tags, summary: "Replay a dead or finished job", description: "Runs it again with a fresh attempt budget." },
      },
    );
}
