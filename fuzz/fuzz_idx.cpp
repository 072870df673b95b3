// libFuzzer target: read_idx (raw and gzip) on arbitrary bytes. read_idx reads files, so each
// input is written to a per-process file in /dev/shm (tmpfs: no disk I/O) first.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <ctnn/data/idx.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/dev/shm/ctnn_fuzz_idx_" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const auto a = ctnn::data::read_idx(path);
    if (a.size() > 0) {
      volatile float v = a.value(a.size() - 1);
      (void)v;
    }
  } catch (const ctnn::error&) {
  }
  return 0;
}
