// libFuzzer target over what the primary does with one sd_notify datagram from a child: the
// parser's bounds must hold for any bytes.
//
//   build/dev/bin/notify_message_fuzz -max_total_time=600 /tmp/corpus ipc/fuzz/notify_corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ipc/notify_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringleader;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<NotifyMessage> m = ParseNotifyMessage(input);
  if (!m.ok()) return 0;
  // Accepted only within bounds, and only when something was recognised.
  if (size > kMaxNotifyDatagram || input.find('\0') != std::string_view::npos) std::abort();
  if (!m->ready && !m->reloading && !m->stopping && m->watchdog == WatchdogSignal::kNone &&
      !m->status && !m->mainpid) {
    std::abort();
  }
  if (m->mainpid && *m->mainpid <= 0) std::abort();
  if (m->status) {
    if (m->status->size() > kMaxNotifyStatus) std::abort();
    for (const char c : *m->status) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7f) std::abort();  // shown in logs and `ringleader-ctl status`
    }
  }
  return 0;
}
