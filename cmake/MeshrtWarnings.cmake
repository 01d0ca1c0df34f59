# Warnings for meshrt's own targets (third-party headers are included as SYSTEM).
add_library(meshrt_warnings INTERFACE)
target_compile_options(meshrt_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers>
  # Bit-exact agreement between CPU references and shaders needs a*b+c evaluated as two
  # roundings everywhere; never let the compiler fuse it into an FMA behind our back.
  $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)
