// ParseRedisAddress and RedisEndpointOf: the only places that parse or resolve a Redis address.
#include "net/redis/redis_options.h"

#include <netdb.h>

#include <charconv>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {
namespace {

// getaddrinfo for TCP; `flags` adds AI_NUMERICHOST when no lookup may happen.
absl::StatusOr<RedisEndpoint> Resolve(const std::string& host, uint16_t port, int flags) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return absl::NotFoundError(absl::StrCat("redis host ", Absl(host), ": ", gai_strerror(rc)));
  }
  absl::Cleanup free_found = [found] { ::freeaddrinfo(found); };
  RedisEndpoint endpoint;
  endpoint.family = found->ai_family;
  endpoint.length = found->ai_addrlen;
  std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
  return endpoint;
}

}  // namespace

absl::StatusOr<RedisOptions> ParseRedisAddress(std::string_view host_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == host_port.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address \"", Absl(host_port), "\" is not host:port"));
  }
  std::string_view host = host_port.substr(0, colon);
  const std::string_view port_text = host_port.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.begin(), port_text.end(), port);
  if (error != std::errc() || end != port_text.end() || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis port \"", Absl(port_text), "\" is not 1-65535"));
  }
  RedisOptions options;
  options.port = static_cast<uint16_t>(port);
  auto endpoint = Resolve(std::string(host), options.port, 0);
  if (!endpoint.ok()) return endpoint.status();
  char numeric[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&endpoint->address), endpoint->length,
                    numeric, sizeof numeric, nullptr, 0, NI_NUMERICHOST) != 0) {
    return absl::NotFoundError(absl::StrCat("redis host ", Absl(host), ": no numeric address"));
  }
  options.host = numeric;
  return options;
}

absl::StatusOr<RedisEndpoint> RedisEndpointOf(const RedisOptions& options) {
  return Resolve(options.host, options.port, AI_NUMERICHOST);
}

}  // namespace ringleader
