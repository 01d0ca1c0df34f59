// Chrome / Perfetto Trace Event Format: export of profiler spans and a validator for it.
// The files load in chrome://tracing and ui.perfetto.dev.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/profiler.h"
#include "meshrt/result.h"

namespace meshrt {

// {"displayTimeUnit":"ms","traceEvents":[...]}: one complete ("X") event per span with
// ts/dur in microseconds (fractional, sub-µs kept) relative to the earliest span start,
// cat "gpu" for tracks starting with "gpu" else "cpu", pid 1, one tid per track
// (CPU tracks first), args.frame; plus process_name, thread_name and thread_sort_index
// metadata ("M") events. A span with endNs < startNs is written with dur 0.
std::string chromeTraceJson(const std::vector<SpanRecord>& spans);

// Writes chromeTraceJson(spans) to `path + ".tmp"` and renames it over `path`, so `path`
// never holds a partial file; the tmp file is removed on failure.
Result<void> writeChromeTrace(const std::vector<SpanRecord>& spans, const std::string& path);

struct TraceSummary {
  size_t completeEvents = 0;     // "X" events
  std::set<std::string> names;   // names of "X" events
  std::set<std::string> tracks;  // thread_name of each X event's (pid, tid), else "tid:<n>"
  std::map<std::string, std::set<int64_t>> framesByName;  // X events' args.frame, by name
};

// Validates the subset of the format that chromeTraceJson emits: a top-level object with
// a "traceEvents" array, or a bare array of events; each event an object with string
// "name" and "ph"; "X" events with numeric ts >= 0 and dur >= 0 and integer pid and tid;
// "M" events named process_name/thread_name with a string args.name or
// process_sort_index/thread_sort_index with an integer args.sort_index; any other ph or
// metadata name is rejected. An optional args.frame must be an integer. Errors are one
// line: "<sourceName>: traceEvents[12].dur: <reason>", or "<sourceName>: not JSON: ...".
Result<TraceSummary> parseChromeTrace(std::string_view jsonText, std::string_view sourceName);

}  // namespace meshrt
