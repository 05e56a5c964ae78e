// Debian's abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// which does not convert from std::string_view. Our APIs speak std::string_view; these two
// helpers cross the boundary where an absl function wants its own type.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace ringleader {

inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace ringleader
