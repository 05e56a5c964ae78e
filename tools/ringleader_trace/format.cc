// Formatting helpers: fixed precision, no locale, so outputs are stable for golden tests.
#include "tools/ringleader_trace/format.h"

#include "absl/strings/str_format.h"

namespace ringleader::trace_tool {

std::string FormatOffset(int64_t offset_ns) {
  return absl::StrFormat("%+.3fs", static_cast<double>(offset_ns) / 1e9);
}

std::string FormatDuration(int64_t duration_ns) {
  const double ns = static_cast<double>(duration_ns);
  const double magnitude = ns < 0 ? -ns : ns;
  if (magnitude < 1e6) return absl::StrFormat("%.3f ms", ns / 1e6);
  if (magnitude < 1e9) return absl::StrFormat("%.1f ms", ns / 1e6);
  return absl::StrFormat("%.3f s", ns / 1e9);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0 at all.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace ringleader::trace_tool
