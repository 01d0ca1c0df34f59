#include "core/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace meshrt {

Result<void> writeFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp";
  errno = 0;
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    const int error = errno;
    return makeError(path, std::string("cannot write: ") + (error ? std::strerror(error) : "cannot open file"));
  }
  const size_t written = bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), file);
  const int writeError = written == bytes.size() ? 0 : (errno ? errno : EIO);
  const int closeError = std::fclose(file) == 0 ? 0 : (errno ? errno : EIO);
  if (writeError || closeError) {
    std::remove(temporary.c_str());
    return makeError(path, std::string("cannot write: ") + std::strerror(writeError ? writeError : closeError));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    return makeError(path, std::string("cannot write: ") + std::strerror(error));
  }
  return {};
}

}  // namespace meshrt
