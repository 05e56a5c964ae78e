// IMF-fixdate formatting (RFC 9110 §5.6.7).
#include "net/http_date.h"

namespace ringleader {

void HttpDate::Refresh(absl::Time now) {
  const int64_t second = absl::ToUnixSeconds(now);
  if (second == second_) return;
  second_ = second;
  value_ = absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", now, absl::UTCTimeZone());
}

}  // namespace ringleader
