// AppendJsonString: writes a string as a quoted, escaped JSON string. Every component that emits
// JSON by hand (trace lines, HTTP bodies, IPC messages) uses this one escaper.
//
//   std::string out = "{\"cause\":";
//   AppendJsonString(out, cause);   // "\"SIGKILL \\\"x\\\"\""
//   out += "}";
#pragma once

#include <string>
#include <string_view>

namespace ringleader {

void AppendJsonString(std::string& out, std::string_view text);

}  // namespace ringleader
