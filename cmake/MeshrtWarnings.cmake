# Warnings for meshrt's own targets (third-party headers are included as SYSTEM).
add_library(meshrt_warnings INTERFACE)
target_compile_options(meshrt_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers>
  # GCC 12 false positive on std::string concatenation at -O2 (GCC bug 105651).
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>
  # Bit-exact agreement between CPU references and shaders needs a*b+c evaluated as two
  # roundings everywhere; never let the compiler fuse it into an FMA behind our back.
  $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)
