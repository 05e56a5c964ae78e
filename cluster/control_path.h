// Where the primary's control socket lives when --control is not given. ringleader (the server)
// and ringleader-ctl (the client) derive it by the same rule, from the HTTP port:
//
//   $XDG_RUNTIME_DIR/ringleader-<port>.sock      when XDG_RUNTIME_DIR is set (and not empty)
//   /tmp/ringleader-<uid>-<port>.sock            otherwise
//
//   std::string path = DefaultControlPath(3000);  // "/run/user/1000/ringleader-3000.sock"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringleader {

// The rule above, for this process's environment and real uid.
std::string DefaultControlPath(uint16_t port);

// The same rule with its inputs spelled out (empty `runtime_dir`: not set), for tests.
std::string ControlPathFor(std::string_view runtime_dir, unsigned uid, uint16_t port);

}  // namespace ringleader
