// Loads of fixed-width values from byte buffers that carry no alignment (Parquet pages, column buffers,
// hash input). memcpy is the defined way to do it; compilers turn it into one load.
#pragma once

#include <cstring>
#include <type_traits>

namespace floe {

template <typename T>
T LoadUnaligned(const void* p) {
  static_assert(std::is_trivially_copyable_v<T>);
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace floe
