# Build stage: compile the release binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin policy-kb

# Runtime stage: the binary alone, run by an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/policy-kb --create-home policy-kb
COPY --from=build /src/target/release/policy-kb /usr/local/bin/policy-kb
USER policy-kb
WORKDIR /var/lib/policy-kb
ENV KB_DATA_DIR=/var/lib/policy-kb/data \
    KB_BIND=0.0.0.0:8080 \
    KB_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["policy-kb"]
CMD ["serve"]
