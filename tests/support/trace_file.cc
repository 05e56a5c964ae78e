// Trace file reading for tests, through the same parser ringleader-trace uses.
#include "tests/support/trace_file.h"

#include "fsm/trace_check.h"

#include <fstream>

namespace ringleader::testing {

std::vector<TraceRecord> TraceFile::ForPid(int pid) const {
  std::vector<TraceRecord> out;
  for (const auto& r : records) {
    if (r.pid == pid) out.push_back(r);
  }
  return out;
}

std::vector<std::string> TraceFile::Path(int pid) const {
  std::vector<std::string> out;
  for (const auto& r : ForPid(pid)) {
    out.push_back((r.from ? std::string(StateName(*r.from)) : "null") + ">" +
                  std::string(StateName(r.to)));
  }
  return out;
}

TraceFile ReadTraceFile(const std::string& path) {
  TraceFile file;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto record = ParseTraceLine(line);
    if (record.ok()) {
      file.records.push_back(*std::move(record));
    } else {
      file.errors.push_back("line " + std::to_string(number) + ": " +
                            std::string(record.status().message()));
    }
  }
  return file;
}

std::vector<std::string> TraceViolations(const std::string& path, const std::set<int>& alive) {
  TraceChecker checker;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) checker.Add(++number, ParseTraceLine(line));
  checker.Finish(alive);
  std::vector<std::string> out;
  for (const auto& v : checker.violations()) {
    out.push_back("line " + std::to_string(v.line) + ": " + v.what);
  }
  return out;
}

}  // namespace ringleader::testing
