# Compiles GLSL compute shaders to SPIR-V with `glslc -Werror` at build time and embeds
# them in the library. A shader that does not compile fails the build.
#
# meshrt_add_shaders(TARGET <name> SOURCES a.comp b.comp ... INCLUDE_DIR <dir>)
# creates a static library <name> providing (in the generated header "shaders/shader_ids.h"):
#   enum class ShaderId : uint32_t { Preprocess, ... };   // one per file, PascalCase of the stem
#   std::span<const uint32_t> shaderSpirv(ShaderId);        // SPIR-V words
#   const char* shaderName(ShaderId);                      // file stem, e.g. "preprocess"
find_program(GLSLC_EXECUTABLE glslc REQUIRED)

function(meshrt_add_shaders)
  cmake_parse_arguments(ARG "" "TARGET;INCLUDE_DIR" "SOURCES" ${ARGN})
  set(outDir ${CMAKE_CURRENT_BINARY_DIR}/generated/shaders)
  file(MAKE_DIRECTORY ${outDir})
  file(GLOB sharedHeaders CONFIGURE_DEPENDS ${ARG_INCLUDE_DIR}/*.h ${ARG_INCLUDE_DIR}/*.glsl)
  set(spvFiles "")
  set(stems "")
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(stem ${src} NAME_WE)
    set(spv ${outDir}/${stem}.spv)
    add_custom_command(
      OUTPUT ${spv}
      COMMAND ${GLSLC_EXECUTABLE} -Werror --target-env=vulkan1.2 -O
              -I ${ARG_INCLUDE_DIR} -MD -MF ${spv}.d -o ${spv} ${CMAKE_CURRENT_SOURCE_DIR}/${src}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${src} ${sharedHeaders}
      DEPFILE ${spv}.d
      COMMENT "glslc ${src}"
      VERBATIM)
    list(APPEND spvFiles ${spv})
    list(APPEND stems ${stem})
  endforeach()
  add_custom_command(
    OUTPUT ${outDir}/shader_ids.h ${outDir}/shader_blobs.cpp
    COMMAND ${CMAKE_COMMAND} -DOUT_DIR=${outDir} "-DSTEMS=${stems}" "-DSPV_FILES=${spvFiles}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedSpirv.cmake
    DEPENDS ${spvFiles} ${PROJECT_SOURCE_DIR}/cmake/EmbedSpirv.cmake
    COMMENT "Embedding SPIR-V"
    VERBATIM)
  add_library(${ARG_TARGET} STATIC ${outDir}/shader_blobs.cpp ${outDir}/shader_ids.h)
  target_include_directories(${ARG_TARGET} PUBLIC ${CMAKE_CURRENT_BINARY_DIR}/generated)
  set_target_properties(${ARG_TARGET} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
