// Where a primary's control socket lives unless --control says otherwise. ringleader and
// ringleader-ctl both derive it from the HTTP port, so `ringleader-ctl --port=N` finds it.
#pragma once

#include <cstdint>
#include <string>

namespace ringleader {

// $XDG_RUNTIME_DIR/ringleader-<port>.sock when XDG_RUNTIME_DIR is set (a per-user 0700
// directory), else /tmp/ringleader-<uid>-<port>.sock.
std::string DefaultControlPath(uint16_t port);

}  // namespace ringleader
