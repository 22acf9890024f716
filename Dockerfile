# syntax=docker/dockerfile:1
#
# Multi-platform image of ./sample-server for docker buildx users:
#
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse --short HEAD) \
#     -t 123456789012.dkr.ecr.us-east-1.amazonaws.com/sample-server:v1.2.3 --push .
#
# The binary lands at /ko-app/sample-server, the same path ko and imgcheck use,
# so one ECS task definition (entrypoint and health check) fits every builder.

# The build stage runs on the machine's own platform ($BUILDPLATFORM) and
# cross-compiles, which Go does natively: no QEMU emulation, so an arm64 image
# builds as fast as an amd64 one on an x86 CI runner.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build

# buildx sets TARGETOS and TARGETARCH for each platform it builds (linux and
# amd64 or arm64). GOARCH must come from them: hard-coding GOARCH=amd64 here
# makes every "arm64" image silently contain an amd64 binary, which an ARM64
# Fargate task rejects with "exec format error" only after the deploy.
ARG TARGETOS TARGETARCH

WORKDIR /src

# Modules first, in their own layer: it is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY sample-server/ ./sample-server/

# Empty values fall back to the module version and VCS revision Go records.
ARG VERSION
ARG COMMIT

# CGO_ENABLED=0 makes a static binary. With cgo on (the default when the build
# platform matches the target) Go links against glibc and records an ELF
# interpreter (/lib64/ld-linux-x86-64.so.2 or /lib/ld-linux-aarch64.so.1);
# distroless static and scratch have no libc and no interpreter, so the
# container fails to start with "no such file or directory".
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/sample-server ./sample-server

# Distroless static: CA certificates, tzdata and a nonroot user (65532), no
# shell and no package manager. The health check therefore runs the binary
# itself (-healthcheck), not curl.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/sample-server /ko-app/sample-server

USER nonroot:nonroot
ENV PORT=8080
EXPOSE 8080

# Docker honours this; ECS ignores image health checks and needs the same
# command in the task definition: ["CMD", "/ko-app/sample-server", "-healthcheck"].
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/ko-app/sample-server", "-healthcheck"]

# Exec form: the server is PID 1 and receives ECS's SIGTERM itself (a shell
# form would put /bin/sh in between, which distroless does not even have).
ENTRYPOINT ["/ko-app/sample-server"]
