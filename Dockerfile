# The bench image for sharded runs on Kubernetes (docs/scale-out.md), built from the packed npm
# tarball — the same artifact `npm install` would get. Not built in CI (no Docker engine there).
#
#   npm ci && npm run build && npm pack          # → inferencebench-0.1.0.tgz (bin, dist, fixtures)
#   docker build --build-arg TARBALL=inferencebench-0.1.0.tgz -t registry.example/inferencebench:0.1.0 .
#   docker push registry.example/inferencebench:0.1.0
FROM node:20-bookworm-slim

ARG TARBALL=inferencebench-0.1.0.tgz
COPY ${TARBALL} /tmp/inferencebench.tgz
# --omit=dev: the bundle in dist/ needs only the runtime dependencies (koffi brings its prebuilt binary).
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/inferencebench.tgz \
 && rm /tmp/inferencebench.tgz \
 && { test -f "$(npm root --global)/inferencebench/dist/bench.js" \
      || { echo "the tarball has no dist/bench.js: run npm run build before npm pack" >&2; exit 1; }; } \
 && bench --version

USER node
WORKDIR /work
# Manifests pass `run …` (shards) or `k8s coordinator …` (the coordinator) as arguments.
ENTRYPOINT ["bench"]
