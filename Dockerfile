# syntax=docker/dockerfile:1
# hobom-event-processor: one self-contained executable in a minimal, non-root image, for
# linux/amd64 and linux/arm64.
#   docker build -t hobom-event-processor --build-arg COMMIT=$(git rev-parse --short HEAD) .
#   docker buildx build --platform linux/amd64,linux/arm64 -t registry.example/hobom-event-processor:0.1.0 \
#     --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse --short HEAD) --push .
#   docker run --env-file /etc/hobom/event-processor.env -p 8082:8082 hobom-event-processor
# The build stage runs on the builder's own platform and cross-compiles (bun build --compile
# --target downloads the target's Bun runtime from the npm registry). The last stage runs the
# binary once on the target platform, so a multi-platform build needs QEMU for the other
# architecture (Docker Desktop has it; elsewhere `docker run --privileged --rm tonistiigi/binfmt --install arm64`).

FROM --platform=$BUILDPLATFORM oven/bun:1.4.5 AS build
WORKDIR /src
# Dependencies first, frozen to bun.lock, with the committed kafkajs and grpc-js patches applied.
# They are plain JavaScript: one install serves every target architecture.
COPY package.json bun.lock bunfig.toml tsconfig.json ./
COPY patches ./patches
RUN bun install --frozen-lockfile
COPY proto ./proto
COPY src ./src
ARG VERSION=0.1.0
ARG COMMIT=unknown
# Set by BuildKit from --platform (amd64 or arm64).
ARG TARGETARCH
# x86-64 CPUs without AVX2 (before Haswell) need the baseline runtime: --build-arg BUN_X64=bun-linux-x64-baseline.
ARG BUN_X64=bun-linux-x64
RUN case "${TARGETARCH}" in \
      amd64) target="${BUN_X64}" ;; \
      arm64) target=bun-linux-arm64 ;; \
      *) echo "hobom-event-processor builds for linux/amd64 and linux/arm64, not TARGETARCH=\"${TARGETARCH}\" (BuildKit sets it from --platform; the legacy builder leaves it empty)" >&2; exit 1 ;; \
    esac \
 && bun build --compile --no-compile-autoload-dotenv --minify --sourcemap=none --target="${target}" \
      --define "HOBOM_BUILD_VERSION=\"${VERSION}\"" --define "HOBOM_BUILD_COMMIT=\"${COMMIT}\"" \
      src/main.ts --outfile /out/hobom-event-processor

# glibc and libstdc++ are all the Bun runtime needs; no shell, no package manager, uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/hobom-event-processor /usr/local/bin/hobom-event-processor
USER nonroot:nonroot
# The binary runs here once, on the target platform's libraries: a build whose binary cannot
# start fails now, not at deploy time (exec form: the image has no shell).
RUN ["/usr/local/bin/hobom-event-processor", "--version"]
ENV HOBOM_HTTP_ADDR=:8082
EXPOSE 8082
# /health/ready: 200 while Redis answers (Kafka or a backend down leaves it "degraded", still ready).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/hobom-event-processor", "healthcheck"]
# SIGTERM lets the cycle in flight finish within HOBOM_SHUTDOWN_TIMEOUT_MS (10 s by default):
# keep `docker stop --time` / `--stop-timeout` above it (the default 10 s is not).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/hobom-event-processor"]
