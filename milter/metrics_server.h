// SPDX-License-Identifier: Apache-2.0
// metrics_server.h - serves Metrics::exposition() over HTTP at /metrics (MetricsSocket).
//
// libmicrohttpd does the HTTP; its own thread answers, so scrapes never wait for mail and
// mail never waits for a scrape. Started after privileges are dropped (ports below 1024 are
// not for it); stopped before the process exits. Not copyable.
#pragma once

#include <memory>
#include <string>

#include "senders/metrics.h"

struct MHD_Daemon;

namespace cm {

class MetricsServer {
public:
    // `spec` is "inet:PORT@HOST" (HOST an IPv4 address or name) or "inet6:PORT@HOST". On
    // failure returns null and says why in `error`. `metrics` must outlive the server.
    static std::unique_ptr<MetricsServer> start(const std::string& spec, const Metrics& metrics, std::string& error);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

private:
    explicit MetricsServer(const Metrics& metrics) : metrics_(metrics) {}
    const Metrics& metrics_;
    MHD_Daemon* daemon_ = nullptr;
    friend struct MetricsServerAccess;
};

}  // namespace cm
