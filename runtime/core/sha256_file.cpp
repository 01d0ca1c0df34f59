#include "core/sha256_file.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace meshrt {

Result<std::string> sha256OfFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return makeError(path, std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return makeError(path, "SHA-256: OpenSSL digest initialisation failed");
  }
  std::vector<unsigned char> block(1 << 20);
  for (;;) {
    const size_t count = std::fread(block.data(), 1, block.size(), file.get());
    if (count > 0 && EVP_DigestUpdate(context.get(), block.data(), count) != 1) {
      return makeError(path, "SHA-256: OpenSSL digest update failed");
    }
    if (count < block.size()) break;
  }
  if (std::ferror(file.get())) return makeError(path, "read error");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1) return makeError(path, "SHA-256: OpenSSL digest failed");
  static const char HEX[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(HEX[digest[i] >> 4]);
    text.push_back(HEX[digest[i] & 15]);
  }
  return text;
}

}  // namespace meshrt
