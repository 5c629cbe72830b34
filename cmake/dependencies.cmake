# Every dependency comes from Debian's packages (scripts/deps installs them).
find_package(OpenMP REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(GVC IMPORTED_TARGET libgvc)
# plplot-c++'s .pc file does not pull in the C library it wraps: ask for both.
pkg_check_modules(PLPLOT IMPORTED_TARGET plplot-c++ plplot)

# OpenBLAS: Debian's OpenMP build, so BLAS and our loops share one thread pool (two pools on two
# cores oversubscribe: PyTorch's 2-thread slowdown). The run path pins that build even when the
# system-wide alternative points at the pthread one.
set(GF_OPENBLAS_DIR /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
find_library(GF_OPENBLAS_LIBRARY NAMES openblas PATHS ${GF_OPENBLAS_DIR} NO_DEFAULT_PATH)
if(NOT GF_OPENBLAS_LIBRARY)
  message(WARNING "OpenMP OpenBLAS not found (apt-get install libopenblas-openmp-dev); using any OpenBLAS")
  find_library(GF_OPENBLAS_LIBRARY NAMES openblas REQUIRED)
  get_filename_component(GF_OPENBLAS_DIR ${GF_OPENBLAS_LIBRARY} DIRECTORY)
endif()
add_library(gf_openblas INTERFACE)
target_link_libraries(gf_openblas INTERFACE ${GF_OPENBLAS_LIBRARY})
target_link_options(gf_openblas INTERFACE "LINKER:-rpath,${GF_OPENBLAS_DIR}")
find_path(GF_CBLAS_INCLUDE cblas.h PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp /usr/include/${CMAKE_LIBRARY_ARCHITECTURE} NO_DEFAULT_PATH)
if(GF_CBLAS_INCLUDE)
  target_include_directories(gf_openblas INTERFACE $<BUILD_INTERFACE:${GF_CBLAS_INCLUDE}>)
endif()

# SLEEF (libsleef-dev): the vector math PyTorch's CPU kernels use, so exp/log/tanh/... match
# torch bit for bit. Linked through an INTERFACE target like OpenBLAS, so the installed static
# library carries it to find_package(gradflow) users.
find_library(GF_SLEEF_LIBRARY NAMES sleef REQUIRED)
find_path(GF_SLEEF_INCLUDE sleef.h PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE} REQUIRED)
add_library(gf_sleef INTERFACE)
target_link_libraries(gf_sleef INTERFACE ${GF_SLEEF_LIBRARY})
target_include_directories(gf_sleef INTERFACE $<BUILD_INTERFACE:${GF_SLEEF_INCLUDE}>)

# oneDNN (libdnnl-dev): the convolution primitives PyTorch's CPU build uses. Debian's build runs
# on OpenMP (libgomp), the same thread pool as OpenBLAS and our loops. Linked through an
# INTERFACE target like OpenBLAS, so the installed static library carries it.
find_library(GF_DNNL_LIBRARY NAMES dnnl REQUIRED)
find_path(GF_DNNL_INCLUDE oneapi/dnnl/dnnl.hpp REQUIRED)
add_library(gf_dnnl INTERFACE)
target_link_libraries(gf_dnnl INTERFACE ${GF_DNNL_LIBRARY})
target_include_directories(gf_dnnl INTERFACE $<BUILD_INTERFACE:${GF_DNNL_INCLUDE}>)

# Open MPI (openmpi-bin, libopenmpi-dev): gf::distributed's all-reduce / broadcast. Optional:
# with GF_WITH_MPI=OFF (or no MPI found) the same API works as a world of 1. Wrapped in an
# INTERFACE target like OpenBLAS, so the installed static library carries it to its users.
# The project is C++ only: MPI's C API is found through the CXX component, without the
# (deprecated) C++ bindings.
set(MPI_CXX_SKIP_MPICXX TRUE)
find_package(MPI COMPONENTS CXX QUIET)
option(GF_WITH_MPI "Build gf::distributed on MPI (Open MPI)" ${MPI_CXX_FOUND})
add_library(gf_mpi INTERFACE)
if(GF_WITH_MPI)
  if(NOT MPI_CXX_FOUND)
    message(FATAL_ERROR "GF_WITH_MPI=ON but MPI was not found (apt-get install libopenmpi-dev openmpi-bin)")
  endif()
  target_link_libraries(gf_mpi INTERFACE ${MPI_CXX_LIBRARIES})
  target_include_directories(gf_mpi INTERFACE "$<BUILD_INTERFACE:${MPI_CXX_INCLUDE_DIRS}>")
  target_compile_definitions(gf_mpi INTERFACE $<BUILD_INTERFACE:GF_WITH_MPI=1 OMPI_SKIP_MPICXX=1>)
endif()
