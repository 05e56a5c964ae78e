// `ringleader-ctl monit`: the terminal side of the live view. Polls "status" every second on a
// fresh connection, keeps a second connection on "trace" for the recent lifecycle events, and
// draws RenderMonit (monit_screen.h) on the alternate screen with the cursor hidden.
//
// The terminal is in raw mode (no echo, no line buffering) while it runs and is restored on
// every way out: q, SIGINT, SIGTERM, SIGHUP — all of which exit 0 — and errors. Signals are read
// from a signalfd in the same poll() as the keyboard, never handled in signal context.
#pragma once

#include <string>

namespace ringleader::ctl {

// Runs until q or a signal. 0 on a normal quit; 1 (with the reason on stderr) when stdin or
// stdout is not a terminal or the terminal cannot be set up.
int RunMonit(const std::string& control_path, const std::string& how_started);

}  // namespace ringleader::ctl
