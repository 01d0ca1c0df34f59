#include "core/chrome_trace.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

namespace meshrt {

namespace {

using nlohmann::json;

constexpr int PROCESS_ID = 1;

// Sort group of a track in the viewer: CPU tracks, then GPU tracks, then anything else.
int trackGroup(std::string_view track) {
  if (track.starts_with("cpu")) return 0;
  if (track.starts_with("gpu")) return 1;
  return 2;
}

json metadataEvent(std::string_view name, int tid, json args) {
  return json{{"ph", "M"}, {"name", name}, {"pid", PROCESS_ID}, {"tid", tid},
              {"args", std::move(args)}};
}

}  // namespace

std::string chromeTraceJson(const std::vector<SpanRecord>& spans) {
  std::vector<std::string> tracks;
  int64_t originNs = spans.empty() ? 0 : spans.front().startNs;
  for (const SpanRecord& s : spans) {
    originNs = std::min(originNs, s.startNs);
    if (std::find(tracks.begin(), tracks.end(), s.track) == tracks.end()) {
      tracks.push_back(s.track);
    }
  }
  std::sort(tracks.begin(), tracks.end(), [](const std::string& a, const std::string& b) {
    return std::pair(trackGroup(a), a) < std::pair(trackGroup(b), b);
  });

  json events = json::array();
  events.push_back(metadataEvent("process_name", 0, {{"name", "meshrt"}}));
  std::map<std::string_view, int> tidByTrack;
  for (size_t i = 0; i < tracks.size(); ++i) {
    const int tid = static_cast<int>(i) + 1;  // tid order is the sort order
    tidByTrack.emplace(tracks[i], tid);
    events.push_back(metadataEvent("thread_name", tid, {{"name", tracks[i]}}));
    events.push_back(metadataEvent("thread_sort_index", tid, {{"sort_index", tid}}));
  }
  for (const SpanRecord& s : spans) {
    const int64_t durNs = std::max<int64_t>(0, s.endNs - s.startNs);
    events.push_back(json{{"ph", "X"},
                          {"name", s.name},
                          {"cat", trackGroup(s.track) == 1 ? "gpu" : "cpu"},
                          {"ts", static_cast<double>(s.startNs - originNs) / 1000.0},
                          {"dur", static_cast<double>(durNs) / 1000.0},
                          {"pid", PROCESS_ID},
                          {"tid", tidByTrack.at(s.track)},
                          {"args", {{"frame", s.frame}}}});
  }
  json root = {{"displayTimeUnit", "ms"}, {"traceEvents", std::move(events)}};
  return root.dump();
}

Result<void> writeChromeTrace(const std::vector<SpanRecord>& spans, const std::string& path) {
  const std::string text = chromeTraceJson(spans);
  const std::string tmpPath = path + ".tmp";
  std::FILE* file = std::fopen(tmpPath.c_str(), "wb");
  if (!file) return makeError(path, std::string("cannot write: ") + std::strerror(errno));

  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  int savedErrno = errno;
  const bool closed = std::fclose(file) == 0;
  if (written && !closed) savedErrno = errno;
  if (!written || !closed) {
    std::remove(tmpPath.c_str());
    return makeError(path, std::string("cannot write: ") + std::strerror(savedErrno));
  }
  if (std::rename(tmpPath.c_str(), path.c_str()) != 0) {
    savedErrno = errno;
    std::remove(tmpPath.c_str());
    return makeError(path, std::string("cannot rename from .tmp: ") + std::strerror(savedErrno));
  }
  return {};
}

namespace {

using ThreadKey = std::pair<int64_t, int64_t>;  // (pid, tid)

// The check* functions return "" if the event is valid, else the reason led by the field
// path below the event (".dur: missing or not a number").

// `args` is the event's args object, or null when it has none. thread_name events are
// added to `threadNames`.
std::string checkMetadata(const json& event, const std::string& kind, const json* args,
                          std::map<ThreadKey, std::string>& threadNames) {
  if (kind == "process_sort_index" || kind == "thread_sort_index") {
    const bool valid =
        args && args->contains("sort_index") && args->at("sort_index").is_number_integer();
    return valid ? std::string() : ".args.sort_index: missing or not an integer";
  }
  if (kind != "process_name" && kind != "thread_name") {
    return ".name: unsupported metadata \"" + kind + "\"";
  }
  if (!args || !args->contains("name") || !args->at("name").is_string()) {
    return ".args.name: missing or not a string";
  }
  if (kind != "thread_name") return {};
  auto tid = event.find("tid");
  if (tid == event.end() || !tid->is_number_integer()) return ".tid: missing or not an integer";
  auto pid = event.find("pid");
  const int64_t pidValue = pid != event.end() && pid->is_number_integer() ? pid->get<int64_t>() : 0;
  threadNames[{pidValue, tid->get<int64_t>()}] = args->at("name").get<std::string>();
  return {};
}

// Adds a valid X event to `summary`; its (pid, tid) is appended to `completeTids` so the
// track can be resolved once all metadata has been seen.
std::string checkComplete(const json& event, const std::string& name, const json* args,
                          std::vector<ThreadKey>& completeTids, TraceSummary& summary) {
  for (const char* field : {"ts", "dur"}) {
    auto value = event.find(field);
    if (value == event.end() || !value->is_number()) {
      return std::string(".") + field + ": missing or not a number";
    }
    if (value->get<double>() < 0.0) {
      return std::string(".") + field + ": negative (" + value->dump() + ")";
    }
  }
  for (const char* field : {"pid", "tid"}) {
    auto value = event.find(field);
    if (value == event.end() || !value->is_number_integer()) {
      return std::string(".") + field + ": missing or not an integer";
    }
  }
  if (args && args->contains("frame")) {
    const json& frame = args->at("frame");
    if (!frame.is_number_integer()) return ".args.frame: not an integer";
    summary.framesByName[name].insert(frame.get<int64_t>());
  }
  summary.completeEvents++;
  summary.names.insert(name);
  completeTids.emplace_back(event.at("pid").get<int64_t>(), event.at("tid").get<int64_t>());
  return {};
}

std::string checkEvent(const json& event, std::map<ThreadKey, std::string>& threadNames,
                       std::vector<ThreadKey>& completeTids, TraceSummary& summary) {
  if (!event.is_object()) return ": not an object";
  auto name = event.find("name");
  if (name == event.end() || !name->is_string()) return ".name: missing or not a string";
  auto ph = event.find("ph");
  if (ph == event.end() || !ph->is_string()) return ".ph: missing or not a string";
  const json* args = nullptr;
  if (auto it = event.find("args"); it != event.end()) {
    if (!it->is_object()) return ".args: not an object";
    args = &*it;
  }
  const std::string& nameText = name->get_ref<const std::string&>();
  const std::string& phase = ph->get_ref<const std::string&>();
  if (phase == "M") return checkMetadata(event, nameText, args, threadNames);
  if (phase == "X") return checkComplete(event, nameText, args, completeTids, summary);
  return ".ph: unsupported phase \"" + phase + "\" (expected \"X\" or \"M\")";
}

}  // namespace

Result<TraceSummary> parseChromeTrace(std::string_view jsonText, std::string_view sourceName) {
  json root;
  try {
    root = json::parse(jsonText.begin(), jsonText.end());
  } catch (const json::parse_error& e) {
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    return makeError(sourceName, "not JSON: " + message);
  }

  const json* events = &root;
  if (root.is_object()) {
    auto it = root.find("traceEvents");
    if (it == root.end() || !it->is_array()) {
      return makeError(sourceName, "traceEvents: missing or not an array");
    }
    events = &*it;
  } else if (!root.is_array()) {
    return makeError(sourceName, "top level: not an object or an array");
  }

  TraceSummary summary;
  std::map<ThreadKey, std::string> threadNames;
  std::vector<ThreadKey> completeTids;
  for (size_t i = 0; i < events->size(); ++i) {
    std::string reason = checkEvent((*events)[i], threadNames, completeTids, summary);
    if (!reason.empty()) {
      return makeError(sourceName, "traceEvents[" + std::to_string(i) + "]" + reason);
    }
  }
  // Metadata may follow the events it names, so tracks are resolved after the scan.
  for (const auto& key : completeTids) {
    auto it = threadNames.find(key);
    const bool named = it != threadNames.end();
    summary.tracks.insert(named ? it->second : "tid:" + std::to_string(key.second));
  }
  return summary;
}

}  // namespace meshrt
