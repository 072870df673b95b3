#pragma once
// data_fingerprint: a 64-bit hash of a dataset's bytes (x, then y), which fit records in its
// checkpoints so that a run resumed on other data of the same size is refused instead of
// continuing silently on samples the checkpoint's order and statistics do not describe.
// Four interleaved multiply–xorshift lanes over 8-byte words (about 1 ms per 10 MB here): a
// checksum against mistakes, not a cryptographic hash.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ctnn {

namespace detail {
inline std::uint64_t fingerprint_mix(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

/// Folds `bytes` bytes at p into h.
inline std::uint64_t fingerprint_bytes(std::uint64_t h, const void* p, std::size_t bytes) noexcept {
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t lane[4] = {h ^ 0x9e3779b97f4a7c15ULL, h + 1, h + 2, h + 3};
  std::size_t i = 0;
  for (; i + 32 <= bytes; i += 32)
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, b + i + 8 * k, 8);
      lane[k] = (lane[k] ^ w) * 0x9e3779b97f4a7c15ULL;
      lane[k] ^= lane[k] >> 29;
    }
  for (; i + 8 <= bytes; i += 8) {  // the last whole words
    std::uint64_t w;
    std::memcpy(&w, b + i, 8);
    lane[0] = (lane[0] ^ w) * 0x9e3779b97f4a7c15ULL;
    lane[0] ^= lane[0] >> 29;
  }
  std::uint64_t tail = 0;  // the last 0-7 bytes
  if (bytes > i) std::memcpy(&tail, b + i, bytes - i);
  std::uint64_t out = fingerprint_mix(lane[0]) ^ (fingerprint_mix(lane[1]) * 3) ^ (fingerprint_mix(lane[2]) * 5) ^
                      (fingerprint_mix(lane[3]) * 7);
  return fingerprint_mix(out ^ fingerprint_mix(tail ^ bytes));
}
}  // namespace detail

/// The fingerprint of a dataset with members x and y (contiguous xtensors); never 0 (0 stands for
/// "not recorded" in a checkpoint).
template <class Dataset>
std::uint64_t data_fingerprint(const Dataset& d) {
  std::uint64_t h = detail::fingerprint_bytes(0, d.x.data(), d.x.size() * sizeof(*d.x.data()));
  h = detail::fingerprint_bytes(h, d.y.data(), d.y.size() * sizeof(*d.y.data()));
  return h == 0 ? 1 : h;
}

}  // namespace ctnn
