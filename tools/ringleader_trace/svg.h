// --svg OUT: a self-contained SVG timeline of a trace — one row per worker generation (slot,
// then generation), each state a coloured bar, exits and escalations as markers, rolling
// restarts as shaded bands, a "workers listening" step chart under the rows, a time axis
// relative to the first record, and a legend. No scripts, no external fonts or styles; every
// bar has a <title> tooltip.
//
//   const std::string svg = RenderSvg(builder.model(), FindRollouts(builder.model()));
//   RL_RETURN_IF_ERROR(WriteFile(out_path, svg));
//
// Each row is a <g class="row" data-slot=".." data-gen=".." data-pid=".."> (tests count them).
#pragma once

#include <string>
#include <vector>

#include "tools/ringleader_trace/rollouts.h"
#include "tools/ringleader_trace/trace_model.h"

namespace ringleader::trace_tool {

std::string RenderSvg(const TraceModel& model, const std::vector<Rollout>& rollouts);

}  // namespace ringleader::trace_tool
