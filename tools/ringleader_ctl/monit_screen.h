// The `monit` screen as a pure function: what is known (the last status, recent lifecycle
// events, the last error) and the terminal's size in, the screen's lines out. The terminal
// layer (monit.h) only positions the cursor and writes these lines.
//
//   MonitView view{.control_path = path, .status = *status, .events = recent};
//   for (const std::string& line : RenderMonit(view, 24, 80)) ...   // exactly 24 lines
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_status.h"

namespace ringleader::ctl {

inline constexpr size_t kMonitEvents = 8;  // recent lifecycle events kept and shown

struct MonitView {
  std::string control_path;
  std::optional<ClusterStatus> status;  // the last status that arrived; nullopt before the first
  std::string problem;                  // why the last poll or the trace failed; empty if fine
  std::vector<std::string> events;      // FormatEvent lines, oldest first
};

// Exactly `rows` lines, none longer than `cols` bytes. CPU bars are out of one core; memory
// bars are relative to the largest RSS in the fleet (which worker is growing stands out). Workers
// come before events when the screen is short; the workers that do not fit are counted on one line.
std::vector<std::string> RenderMonit(const MonitView& view, int rows, int cols);

// "[####......]": `fraction` (clamped to 0..1) of `width` cells filled.
std::string Bar(double fraction, int width);

}  // namespace ringleader::ctl
