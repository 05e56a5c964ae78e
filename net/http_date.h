// HttpDate: the Date header value, formatted at most once a second and shared by every response.
//
//   HttpDate date;
//   date.Refresh(absl::Now());       // from the server's tick
//   out += date.value();             // "Sun, 06 Nov 1994 08:49:37 GMT"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ringleader {

class HttpDate {
 public:
  HttpDate() { Refresh(absl::Now()); }
  // Reformats only when the second changed.
  void Refresh(absl::Time now);
  std::string_view value() const noexcept { return {value_, length_}; }

 private:
  int64_t second_ = -1;
  char value_[32] = {};  // formatted in place: a warm worker allocates nothing, even here
  size_t length_ = 0;
};

}  // namespace ringleader
