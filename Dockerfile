# syntax=docker/dockerfile:1
# Argo profiles service. Multi-stage: compile TypeScript with the dev dependencies, then run the
# compiled JavaScript on a slim Node LTS image with production dependencies only, as a non-root user.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: dev dependencies + tsc ------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY routes ./routes
COPY schemas ./schemas
RUN npx tsc -p tsconfig.build.json

# ---- runtime: production dependencies + compiled code ------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    ARGO_INDEX_STORE=/data/argo_index
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the runtime needs no install scripts (the zstd addon ships its prebuilt binary).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY openapi ./openapi
# The web pages (/ and /explore): static files, served as they are; their libraries come from node_modules.
COPY web ./web
# A writable place for a local index store; S3 deployments do not use it.
RUN mkdir -p /data/argo_index && chown -R node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
# Liveness only (the process answers); readiness (/readyz) is for the orchestrator.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Build months with: docker compose run --rm argo node dist/src/cli/build-index.js --months 2024-01
CMD ["node", "dist/src/main.js"]
