// IMF-fixdate formatting (RFC 9110 §5.6.7).
#include "net/http_date.h"

#include <time.h>

#include <cstdio>

namespace ringleader {

void HttpDate::Refresh(absl::Time now) {
  const int64_t second = absl::ToUnixSeconds(now);
  if (second == second_) return;
  second_ = second;
  // By hand: strftime's day and month names follow the locale, and absl::FormatTime allocates.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t t = static_cast<time_t>(second);
  tm utc{};
  ::gmtime_r(&t, &utc);
  const int n = std::snprintf(value_, sizeof value_, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                              kDays[utc.tm_wday], utc.tm_mday, kMonths[utc.tm_mon],
                              utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  length_ = n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace ringleader
