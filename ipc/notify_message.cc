// ParseNotifyMessage: line split, per-key value checks, STATUS sanitising.
#include "ipc/notify_message.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/str_cat.h"

namespace ringleader {
namespace {

// Control characters (C0 and DEL) would let a child forge log lines or terminal escapes.
std::string SanitiseStatus(std::string_view value) {
  std::string out;
  out.reserve(std::min(value.size(), kMaxNotifyStatus));
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) continue;
    if (out.size() == kMaxNotifyStatus) break;
    out.push_back(c);
  }
  // Cut back to a character boundary: drop a trailing lead byte and its continuation bytes when
  // the sequence they start is incomplete.
  size_t start = out.size();
  while (start > 0 && (static_cast<unsigned char>(out[start - 1]) & 0xC0) == 0x80) --start;
  if (start > 0 && static_cast<unsigned char>(out[start - 1]) >= 0xC0) {
    const auto lead = static_cast<unsigned char>(out[start - 1]);
    const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (out.size() - (start - 1) < need) out.resize(start - 1);
  }
  return out;
}

std::optional<pid_t> ParsePid(std::string_view value) {
  pid_t pid = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, pid);
  // from_chars accepts a leading '-'; a pid is digits only, and never 0 or negative.
  if (value.empty() || value.front() == '-' || ec != std::errc() || ptr != end || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

// What one assignment did to the message.
enum class Outcome {
  kApplied,  // a known key with an accepted value
  kIgnored,  // a known key with a value we do not accept
  kUnknown,  // a key we do not act on
};

// A boolean key: only the exact value "1" sets it.
Outcome SetFlag(bool& field, std::string_view value) {
  if (value != "1") return Outcome::kIgnored;
  field = true;
  return Outcome::kApplied;
}

Outcome Apply(std::string_view key, std::string_view value, NotifyMessage& m) {
  if (key == "READY") return SetFlag(m.ready, value);
  if (key == "RELOADING") return SetFlag(m.reloading, value);
  if (key == "STOPPING") return SetFlag(m.stopping, value);
  if (key == "WATCHDOG") {
    if (value == "1") {
      m.watchdog = WatchdogSignal::kHeartbeat;
    } else if (value == "trigger") {
      m.watchdog = WatchdogSignal::kTrigger;
    } else {
      return Outcome::kIgnored;
    }
    return Outcome::kApplied;
  }
  if (key == "STATUS") {
    m.status = SanitiseStatus(value);
    return Outcome::kApplied;
  }
  if (key == "MAINPID") {
    const std::optional<pid_t> pid = ParsePid(value);
    if (!pid) return Outcome::kIgnored;
    m.mainpid = pid;
    return Outcome::kApplied;
  }
  return Outcome::kUnknown;
}

}  // namespace

absl::StatusOr<NotifyMessage> ParseNotifyMessage(std::string_view datagram) {
  if (datagram.size() > kMaxNotifyDatagram) {
    return absl::InvalidArgumentError(
        absl::StrCat("notify datagram of ", datagram.size(), " bytes (max ", kMaxNotifyDatagram,
                     ")"));
  }
  if (datagram.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("notify datagram holds a NUL byte");
  }
  NotifyMessage m;
  bool recognised = false;
  while (!datagram.empty()) {
    const size_t newline = datagram.find('\n');
    const std::string_view line = datagram.substr(0, newline);
    datagram.remove_prefix(newline == std::string_view::npos ? datagram.size() : newline + 1);
    if (line.empty()) continue;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return absl::InvalidArgumentError("notify line is not KEY=VALUE");
    }
    switch (Apply(line.substr(0, equals), line.substr(equals + 1), m)) {
      case Outcome::kApplied:
        recognised = true;
        break;
      case Outcome::kIgnored:
        ++m.ignored_values;
        break;
      case Outcome::kUnknown:
        ++m.unknown_keys;
        break;
    }
  }
  if (!recognised) return absl::InvalidArgumentError("notify datagram recognised nothing");
  return m;
}

}  // namespace ringleader
