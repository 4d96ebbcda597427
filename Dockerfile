# hobom-event-processor: one self-contained executable in a minimal, non-root image.
#   docker build -t hobom-event-processor --build-arg COMMIT=$(git rev-parse --short HEAD) .
#   docker run --env-file /etc/hobom/event-processor.env -p 8082:8082 hobom-event-processor

FROM oven/bun:1.4.5 AS build
WORKDIR /src
# Dependencies first, frozen to bun.lock, with the committed kafkajs patch applied.
COPY package.json bun.lock bunfig.toml tsconfig.json ./
COPY patches ./patches
RUN bun install --frozen-lockfile
COPY proto ./proto
COPY src ./src
ARG VERSION=0.1.0
ARG COMMIT=unknown
RUN bun build --compile --minify --sourcemap=none --target=bun-linux-x64 \
      --define "HOBOM_BUILD_VERSION=\"${VERSION}\"" --define "HOBOM_BUILD_COMMIT=\"${COMMIT}\"" \
      src/main.ts --outfile /out/hobom-event-processor \
 && /out/hobom-event-processor --version

# glibc and libstdc++ are all the Bun runtime needs; no shell, no package manager, uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/hobom-event-processor /usr/local/bin/hobom-event-processor
USER nonroot:nonroot
ENV HOBOM_HTTP_ADDR=:8082
EXPOSE 8082
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/hobom-event-processor", "healthcheck"]
# SIGTERM lets the cycle in flight finish (HOBOM_SHUTDOWN_TIMEOUT_MS, 10 s by default).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/hobom-event-processor"]
