// AppendRedisCommand: one command in RESP, appended to an outgoing buffer.
//
//   std::string out;
//   AppendRedisCommand(out, {"SET", key, value, "EX", "3600"});
//   AppendRedisCommand(out, {"GET", key});   // pipelined: both go in one send
//
// Arguments are binary-safe (RESP bulk strings), so keys and values may hold any byte. The
// encoding is hiredis's redisFormatCommandArgv, its formatter used without its I/O.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace ringleader {

// Appends the RESP encoding of `args` (the command name first) to `out`. False, with `out`
// unchanged, when `args` is empty or the formatter cannot allocate.
bool AppendRedisCommand(std::string& out, std::span<const std::string_view> args) noexcept;
inline bool AppendRedisCommand(std::string& out,
                               std::initializer_list<std::string_view> args) noexcept {
  return AppendRedisCommand(out, std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace ringleader
