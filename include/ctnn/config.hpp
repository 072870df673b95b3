#pragma once
// Version and build facts.
#include <xsimd/xsimd.hpp>

#define CTNN_VERSION_MAJOR 0
#define CTNN_VERSION_MINOR 1
#define CTNN_VERSION_PATCH 0
#define CTNN_VERSION_STRING "0.1.0"

namespace ctnn {

inline constexpr const char* version = CTNN_VERSION_STRING;

/// The SIMD instruction set the kernels were compiled for ("avx512f", "avx2", ...).
inline const char* simd_isa() noexcept { return xsimd::default_arch::name(); }

}  // namespace ctnn
