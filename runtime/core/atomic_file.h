// Whole-file writes that never leave a half-written file: the bytes go to "<path>.tmp", which
// is then renamed over `path` (DESIGN §7, "Nothing is half-written").
#pragma once

#include <string>
#include <string_view>

#include "meshrt/result.h"

namespace meshrt {

// Errors: "<path>: cannot write: <reason>" (the temporary file is removed on failure).
Result<void> writeFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace meshrt
