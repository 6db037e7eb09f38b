# Plaza container image. Build: docker build -t plaza .   (see docs/operations.md, "Containers")
# Stage 1 installs production dependencies (native modules built here, with the tools they need).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only, plus tsx: Plaza runs its TypeScript through it (npm start does the same).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --omit=dev --no-audit --no-fund \
    && TSX=$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version") \
    && npm install --no-save --no-audit --no-fund "tsx@${TSX}"

# Stage 2: the runtime, as an unprivileged user, with the PostgreSQL client tools for backups.
FROM node:24-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system plaza && useradd --system --gid plaza --home-dir /app --shell /usr/sbin/nologin plaza \
    && mkdir -p /data && chown plaza:plaza /data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY rooms ./rooms
COPY entities ./entities
COPY workers ./workers
# The web console, built into web/dist at image build time (npm start would build it at first start).
COPY web ./web
RUN node --import tsx web/build.ts
ENV NODE_ENV=production HOST=0.0.0.0 PORT=2567 DATA_DIR=/data PGLITE_DIR=/data/pglite BACKUP_DIR=/data/backups
USER plaza
VOLUME ["/data"]
EXPOSE 2567
# /health never touches the database: it says whether the process answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||2567)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini forwards SIGTERM so Plaza's own clean shutdown runs (docker stop).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/main.ts"]
