# Production-style image: build in the official Swift image, run on its slim sibling.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libhiredis-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Plugins ./Plugins
COPY Tests ./Tests
RUN swift build -c release --product usher --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/usher" /usr/local/bin/usher

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libhiredis0.14 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 1000 usher
COPY --from=build /usr/local/bin/usher /usr/local/bin/usher
USER usher
ENV USHER_HOST=0.0.0.0 USHER_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/usher", "serve"]
