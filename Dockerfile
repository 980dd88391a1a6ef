# Builds every vela program on Debian 12 and ships them in a slim runtime image.
#   docker build -t vela .
FROM debian:bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc make cmake pkg-config librdkafka-dev libcurl4-openssl-dev libyaml-dev \
      libjansson-dev libssl-dev libcmocka-dev libevent-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DVELA_SKIP=tests;bench;fuzz" \
    && cmake --build /build -j"$(nproc)"

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka1 libcurl4 libyaml-0-2 libjansson4 libssl3 libevent-2.1-7 \
      libevent-openssl-2.1-7 libevent-pthreads-2.1-7 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/bin/vela /build/bin/vela-scheduler /build/bin/vela-worker \
     /build/bin/vela-kubesim /build/bin/vela-broker /usr/local/bin/
COPY examples /examples
ENV VELA_SECRET_KEY_FILE=/vela/secret.key
USER 65532:65532
