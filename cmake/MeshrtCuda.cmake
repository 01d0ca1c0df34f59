# CUDA backend detection. MESHRT_CUDA=AUTO enables CUDA when nvcc is found (on PATH, via
# CUDACXX, or under /usr/local/cuda); OFF disables it; ON makes a missing toolkit an error.
# The backend also needs cuDNN (the encoder's convolutions): found next to the toolkit or in the
# system library paths, as the imported target meshrt::cudnn.
# Result: MESHRT_HAVE_CUDA (TRUE/FALSE) and one status line "CUDA backend: ...".
set(MESHRT_HAVE_CUDA FALSE)
set(MESHRT_CUDA_ARCHITECTURES "80;86;89;90" CACHE STRING "SM architectures for the CUDA backend")

if(MESHRT_CUDA STREQUAL "OFF")
  message(STATUS "CUDA backend: off (disabled by MESHRT_CUDA=OFF)")
  return()
endif()

if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
endif()
include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  if(MESHRT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "CUDA backend: MESHRT_CUDA=ON but no CUDA toolkit (nvcc) was found")
  endif()
  message(STATUS "CUDA backend: off (no toolkit)")
  return()
endif()

set(CMAKE_CUDA_ARCHITECTURES ${MESHRT_CUDA_ARCHITECTURES})
enable_language(CUDA)
# CUDA sources are C++17: CMake 3.25 does not know nvcc 13's C++20 flag, and the kernels'
# shared MESHRT_HD headers need nothing newer.
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
find_package(CUDAToolkit REQUIRED)

find_path(MESHRT_CUDNN_INCLUDE_DIR cudnn_version.h HINTS ${CUDAToolkit_INCLUDE_DIRS} PATH_SUFFIXES cudnn)
find_library(MESHRT_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}/lib ${CUDAToolkit_LIBRARY_ROOT}/lib64)
if(NOT MESHRT_CUDNN_INCLUDE_DIR OR NOT MESHRT_CUDNN_LIBRARY)
  if(MESHRT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "CUDA backend: MESHRT_CUDA=ON but cuDNN (cudnn_version.h, libcudnn) was not found")
  endif()
  message(STATUS "CUDA backend: off (toolkit found, cuDNN not found)")
  return()
endif()
file(STRINGS ${MESHRT_CUDNN_INCLUDE_DIR}/cudnn_version.h MESHRT_CUDNN_VERSION_LINES REGEX "define CUDNN_(MAJOR|MINOR) ")
string(REGEX REPLACE ".*CUDNN_MAJOR ([0-9]+).*CUDNN_MINOR ([0-9]+).*" "\\1.\\2" MESHRT_CUDNN_VERSION "${MESHRT_CUDNN_VERSION_LINES}")
add_library(meshrt::cudnn UNKNOWN IMPORTED)
set_target_properties(meshrt::cudnn PROPERTIES IMPORTED_LOCATION ${MESHRT_CUDNN_LIBRARY}
                                              INTERFACE_INCLUDE_DIRECTORIES ${MESHRT_CUDNN_INCLUDE_DIR})

set(MESHRT_HAVE_CUDA TRUE)
message(STATUS "CUDA backend: on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, sm_${MESHRT_CUDA_ARCHITECTURES}, cuDNN ${MESHRT_CUDNN_VERSION}, cuBLAS)")
