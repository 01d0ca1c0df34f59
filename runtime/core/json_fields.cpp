#include "core/json_fields.h"

#include <cmath>
#include <sstream>
#include <string_view>

namespace meshrt {
namespace {

std::string formatNumber(double value) {  // shortest readable: 0, 1, 0.5, 1e+30
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

const char* jsonTypeName(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  if (value.is_object()) return "object";
  return "binary";
}

JsonFields::JsonFields() {
  static const nlohmann::json EMPTY = nlohmann::json::object();
  mObject = &EMPTY;
}

JsonFields::JsonFields(const nlohmann::json& object, std::string file, std::string prefix)
    : mObject(&object), mFile(std::move(file)), mPrefix(std::move(prefix)) {}

bool JsonFields::has(const char* key) const { return mObject->is_object() && mObject->contains(key); }

std::string JsonFields::fieldPath(const std::string& key) const { return mPrefix.empty() ? key : mPrefix + "." + key; }

Error JsonFields::error(const std::string& key, const std::string& reason) const {
  return makeError(mFile + ": " + fieldPath(key), reason);
}

Result<const nlohmann::json*> JsonFields::member(const char* key) const {
  if (!has(key)) return error(key, "missing");
  return &(*mObject)[key];
}

Result<std::string> JsonFields::string(const char* key) const {
  const nlohmann::json* value = nullptr;
  MESHRT_ASSIGN_OR_RETURN(value, member(key));
  if (!value->is_string()) return error(key, std::string("expected a string, got ") + jsonTypeName(*value));
  std::string text = value->get<std::string>();
  if (text.empty()) return error(key, "empty");
  return text;
}

Result<double> JsonFields::number(const char* key, double min, double max) const {
  const nlohmann::json* value = nullptr;
  MESHRT_ASSIGN_OR_RETURN(value, member(key));
  if (!value->is_number()) return error(key, std::string("expected a number, got ") + jsonTypeName(*value));
  const double number = value->get<double>();
  if (!std::isfinite(number) || number < min || number > max) {
    return error(key, value->dump() + " is out of range [" + formatNumber(min) + ", " + formatNumber(max) + "]");
  }
  return number;
}

Result<int64_t> JsonFields::integer(const char* key, int64_t min, int64_t max) const {
  const nlohmann::json* value = nullptr;
  MESHRT_ASSIGN_OR_RETURN(value, member(key));
  if (!value->is_number_integer()) {
    return error(key, std::string("expected an integer, got ") +
                          (value->is_number() ? value->dump() : std::string(jsonTypeName(*value))));
  }
  // Unsigned values beyond int64 range read as negative; reject them through the range check.
  if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(max)) {
    return error(key, value->dump() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  const int64_t number = value->get<int64_t>();
  if (number < min || number > max) {
    return error(key, value->dump() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return number;
}

Result<bool> JsonFields::boolean(const char* key) const {
  const nlohmann::json* value = nullptr;
  MESHRT_ASSIGN_OR_RETURN(value, member(key));
  if (!value->is_boolean()) return error(key, std::string("expected true or false, got ") + jsonTypeName(*value));
  return value->get<bool>();
}

Result<JsonFields> JsonFields::object(const char* key) const {
  const nlohmann::json* value = nullptr;
  MESHRT_ASSIGN_OR_RETURN(value, member(key));
  if (!value->is_object()) return error(key, std::string("expected an object, got ") + jsonTypeName(*value));
  return JsonFields(*value, mFile, fieldPath(key));
}

Result<size_t> JsonFields::choice(const char* key, std::initializer_list<const char*> choices) const {
  std::string text;
  MESHRT_ASSIGN_OR_RETURN(text, string(key));
  std::string list;
  size_t index = 0;
  for (const char* option : choices) {
    if (text == option) return index;
    list += (index == 0 ? "" : ", ") + std::string(option);
    ++index;
  }
  return error(key, "'" + text + "' is not one of: " + list);
}

Result<void> JsonFields::onlyKeys(std::initializer_list<const char*> allowed) const {
  for (const auto& item : mObject->items()) {
    bool known = false;
    for (const char* key : allowed) known |= item.key() == std::string_view(key);
    if (!known) return error(item.key(), "unknown field");
  }
  return {};
}

}  // namespace meshrt
