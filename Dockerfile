# One image for every role; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV MONGOMS_DISABLE_POSTINSTALL=1
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production MONGOMS_DISABLE_POSTINSTALL=1
# python3 for the workflow role's script actions (workers/scripts).
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The browser pages bundled by `npm run build` (scripts/buildUi.ts), served by the gateway.
COPY --from=build /app/gateway/ui-dist ./gateway/ui-dist
COPY schema ./schema
COPY workers ./workers
# Plugins (docs/plugins.md): the default WORKFLOW_PLUGINS_FILE is <repository>/plugins/plugins.yaml,
# the repository being /app (the folder holding package.json, lib/graphql/loadSchemaFile.ts).
COPY plugins ./plugins
USER node
