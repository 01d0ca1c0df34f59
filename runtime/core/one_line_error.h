// Errors whose text comes partly from an untrusted file (tensor names, JSON keys) stay one
// printable line of bounded length: control bytes (0x00-0x1F, 0x7F) are escaped as \xNN, and
// beyond MAX_ERROR_CHARACTERS the middle is elided, keeping the start (file, node or field) and
// the end (reason). Used by the model importers and the pack.json loader.
#pragma once

#include <cstddef>

#include "meshrt/result.h"

namespace meshrt {

inline constexpr size_t MAX_ERROR_CHARACTERS = 640;
Error oneLineError(const Error& error);

}  // namespace meshrt
