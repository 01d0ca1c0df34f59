// Typed, range-checked reads of one JSON object's fields for manifest loaders (pack.json).
// Every error is one line: "<file>: <dotted field>: <reason>".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "meshrt/result.h"

namespace meshrt {

class JsonFields {
 public:
  JsonFields();  // reads an empty object (a placeholder to assign to)
  // `object` must outlive this reader; `prefix` is the dotted path of `object` ("" = root).
  JsonFields(const nlohmann::json& object, std::string file, std::string prefix);

  bool has(const char* key) const;
  const nlohmann::json& raw(const char* key) const { return (*mObject)[key]; }  // has(key) first

  Result<std::string> string(const char* key) const;  // a non-empty string
  Result<double> number(const char* key, double min, double max) const;  // finite, in [min, max]
  Result<int64_t> integer(const char* key, int64_t min, int64_t max) const;
  Result<bool> boolean(const char* key) const;
  Result<JsonFields> object(const char* key) const;
  // One of `choices`; returns its index.
  Result<size_t> choice(const char* key, std::initializer_list<const char*> choices) const;
  // Fails on a key not in `allowed` (a misspelt optional field must not be ignored silently).
  Result<void> onlyKeys(std::initializer_list<const char*> allowed) const;

  // "<file>: <prefix>.<key>: <reason>".
  Error error(const std::string& key, const std::string& reason) const;
  std::string fieldPath(const std::string& key) const;
  const std::string& file() const { return mFile; }

 private:
  Result<const nlohmann::json*> member(const char* key) const;

  const nlohmann::json* mObject;
  std::string mFile;
  std::string mPrefix;
};

// The JSON type's name as pack.json errors say it ("string", "number", "object", ...).
const char* jsonTypeName(const nlohmann::json& value);

}  // namespace meshrt

// Assigns the value of a Result<T> expression to `lhs`, or returns its error.
#define MESHRT_ASSIGN_OR_RETURN(lhs, expr)                   \
  do {                                                       \
    auto meshrtAssignResult_ = (expr);                       \
    if (!meshrtAssignResult_.ok()) return meshrtAssignResult_.error(); \
    lhs = std::move(*meshrtAssignResult_);                   \
  } while (0)
