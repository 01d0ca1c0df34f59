// SHA-256 of a file (OpenSSL libcrypto), for the packs' model checks (DESIGN §6).
#pragma once

#include <string>

#include "meshrt/result.h"

namespace meshrt {

// Lowercase hex digest (64 characters). Error: "<path>: <reason>" when the file cannot be read.
Result<std::string> sha256OfFile(const std::string& path);

}  // namespace meshrt
