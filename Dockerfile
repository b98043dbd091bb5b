# syntax=docker/dockerfile:1
# The stockroom inventory server (examples/express-server) with the `stockroom` CLI.
#   docker build -t stockroom .
#   docker run -p 3000:3000 -v stockroom-data:/data stockroom
# compose.yaml runs it with PostgreSQL, Redis and Kafka.

ARG NODE_VERSION=20

# --- manifests only, so dependency layers are cached until a package.json changes ----------
FROM node:${NODE_VERSION}-bookworm-slim AS manifests
# swagger-ui-dist pulls in @scarf/scarf, whose install script reports the install: not here.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/adapter-sqlite/package.json packages/adapter-sqlite/
COPY packages/adapter-postgres/package.json packages/adapter-postgres/
COPY packages/adapter-redis/package.json packages/adapter-redis/
COPY packages/adapter-kafka/package.json packages/adapter-kafka/
COPY packages/cli/package.json packages/cli/
COPY packages/sql-kit/package.json packages/sql-kit/
COPY examples/express-server/package.json examples/express-server/
COPY benchmarks/package.json benchmarks/

# --- build: every dependency, then the server and the packages it needs --------------------
FROM manifests AS build
# better-sqlite3 compiles when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json turbo.json ./
COPY packages packages
COPY examples/express-server examples/express-server
RUN npx turbo run build --filter=@stockroom/example-express-server... --filter=@stockroom/cli

# --- production dependencies only -----------------------------------------------------------
FROM manifests AS production-dependencies
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    STOCKROOM_DATA_DIR=/data
WORKDIR /app
# The manifests with every node_modules folder (workspace links and nested versions included).
COPY --from=production-dependencies /app ./
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/adapter-sqlite/dist packages/adapter-sqlite/dist
COPY --from=build /app/packages/adapter-postgres/dist packages/adapter-postgres/dist
COPY --from=build /app/packages/adapter-redis/dist packages/adapter-redis/dist
COPY --from=build /app/packages/adapter-kafka/dist packages/adapter-kafka/dist
COPY --from=build /app/packages/cli/dist packages/cli/dist
COPY --from=build /app/examples/express-server/dist examples/express-server/dist
COPY --from=build /app/examples/express-server/dashboard examples/express-server/dashboard
COPY LICENSE ./
RUN ln -s /app/packages/cli/dist/cli.js /usr/local/bin/stockroom \
  && chmod +x /app/packages/cli/dist/cli.js \
  && mkdir -p /data \
  && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
WORKDIR /app/examples/express-server
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM from `docker stop` starts the graceful shutdown (in-flight requests, outbox, store).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
