# syntax=docker/dockerfile:1
# Production image: Bun runs the TypeScript server directly; migrations are applied by the server at start.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The postinstall step guards postgres.js against writes on a closed socket (see db/patch-postgres.mjs).
COPY db/patch-postgres.mjs ./db/
# Production dependencies only (no bun/deno/drizzle-kit/test tools); the runtime image brings its own Bun.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS frontends
WORKDIR /app
COPY package.json package-lock.json ./
COPY db/patch-postgres.mjs ./db/
# Full install: Vite, the Solid plugin and Bun (from npm) build the widget and the console, with their size budgets.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY db ./db
COPY server ./server
COPY widget ./widget
COPY console ./console
RUN npm run build

FROM oven/bun:1.4-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json drizzle.config.ts ./
COPY db ./db
COPY server ./server
COPY --from=frontends /app/widget/dist ./widget/dist
COPY --from=frontends /app/console/dist ./console/dist
RUN mkdir -p /app/data && chown -R bun:bun /app/data
USER bun
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "server/main.ts"]
