#pragma once
// ctnn::error: the one exception type the library throws for bad input at run time
// (a missing or truncated file, a width mismatch only known at run time, a non-finite loss).
// The message always names what was wrong and where (file, layer, step, the numbers).
#include <stdexcept>
#include <string>

namespace ctnn {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ctnn
