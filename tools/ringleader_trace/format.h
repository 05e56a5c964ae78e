// Time and text formatting shared by the timeline, the summary and the SVG. Trace times are
// CLOCK_MONOTONIC nanoseconds; everything shown is relative to the trace's first record, so the
// same trace always prints the same text.
//
//   FormatOffset(1'968'000'000)   → "+1.968s"    (a moment, relative to the first record)
//   FormatDuration(24'100'000)    → "24.1 ms"    (a length of time)
//   XmlEscape("a<b & \"c\"")      → "a&lt;b &amp; &quot;c&quot;"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringleader::trace_tool {

// "+S.mmms": seconds with millisecond precision, always signed.
std::string FormatOffset(int64_t offset_ns);

// Under 1 ms: "0.123 ms"; under 1 s: "24.1 ms"; else "1.944 s". Negative values keep their sign.
std::string FormatDuration(int64_t duration_ns);

// Text safe inside XML character data and attribute values (quotes included).
std::string XmlEscape(std::string_view text);

}  // namespace ringleader::trace_tool
