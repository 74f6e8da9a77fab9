// SPDX-License-Identifier: Apache-2.0
#include "metrics_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace cm {

struct MetricsServerAccess {
    static MHD_Result answer(void* cls, MHD_Connection* connection, const char* url, const char* method,
                             const char*, const char*, size_t*, void**) {
        const auto* server = static_cast<const MetricsServer*>(cls);
        unsigned status = MHD_HTTP_OK;
        std::string body;
        const char* type = "text/plain; version=0.0.4; charset=utf-8";
        if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0) {
            status = MHD_HTTP_METHOD_NOT_ALLOWED;
            body = "only GET\n";
        } else if (std::strcmp(url, "/metrics") != 0) {
            status = MHD_HTTP_NOT_FOUND;
            body = "consent-milter serves /metrics\n";
        } else {
            body = server->metrics_.exposition();
        }
        MHD_Response* response =
            MHD_create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_MUST_COPY);
        if (!response) return MHD_NO;
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        MHD_Result result = MHD_queue_response(connection, status, response);
        MHD_destroy_response(response);
        return result;
    }
};

namespace {

// "inet:PORT@HOST" / "inet6:PORT@HOST" -> a resolved socket address.
bool parse_spec(const std::string& spec, sockaddr_storage& addr, std::string& error) {
    int family = 0;
    std::string rest;
    if (spec.rfind("inet:", 0) == 0) {
        family = AF_INET;
        rest = spec.substr(5);
    } else if (spec.rfind("inet6:", 0) == 0) {
        family = AF_INET6;
        rest = spec.substr(6);
    } else {
        error = "MetricsSocket must be inet:PORT@HOST or inet6:PORT@HOST";
        return false;
    }
    const auto at = rest.find('@');
    const std::string port = rest.substr(0, at);
    const std::string host = at == std::string::npos ? (family == AF_INET ? "127.0.0.1" : "::1") : rest.substr(at + 1);
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0 || !found) {
        error = "MetricsSocket " + spec + ": " + gai_strerror(rc);
        return false;
    }
    std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return true;
}

}  // namespace

std::unique_ptr<MetricsServer> MetricsServer::start(const std::string& spec, const Metrics& metrics,
                                                    std::string& error) {
    sockaddr_storage addr{};
    if (!parse_spec(spec, addr, error)) return nullptr;
    std::unique_ptr<MetricsServer> server(new MetricsServer(metrics));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    const auto port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(addr).sin6_port
                                                       : reinterpret_cast<sockaddr_in&>(addr).sin_port);
    server->daemon_ = MHD_start_daemon(flags, port, nullptr, nullptr, &MetricsServerAccess::answer, server.get(),
                                       MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),
                                       MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                                       MHD_OPTION_END);
    if (!server->daemon_) {
        error = "MetricsSocket " + spec + ": cannot listen (address in use or not permitted)";
        return nullptr;
    }
    return server;
}

MetricsServer::~MetricsServer() {
    if (daemon_) MHD_stop_daemon(daemon_);
}

}  // namespace cm
