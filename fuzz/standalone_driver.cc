// Runs a libFuzzer target without libFuzzer: replays every file of the seed corpus directories given on the
// command line, then mutates random seeds (bit flips, truncations, insertions, splices) for --seconds=N.
// This is the short fuzz run inside `make test` (g++ has no libFuzzer); `make fuzz` uses the real one.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  double seconds = 10;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::stod(arg.substr(10));
      continue;
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());

  std::mt19937_64 rng(0xF10E);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  uint64_t runs = 0;
  std::string input;
  while (std::chrono::steady_clock::now() < deadline) {
    input = seeds[rng() % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 8);
    for (int m = 0; m < mutations; ++m) {
      switch (rng() % 6) {
        case 0:
          if (!input.empty()) input[rng() % input.size()] ^= static_cast<char>(1u << (rng() % 8));
          break;
        case 1:
          if (!input.empty()) input.resize(rng() % input.size());
          break;
        case 2: input.insert(input.begin() + static_cast<long>(input.empty() ? 0 : rng() % input.size()),
                             static_cast<char>(rng())); break;
        case 3:
          if (!input.empty()) input[rng() % input.size()] = static_cast<char>("\x00\x01\x7f\x80\xff"[rng() % 5]);
          break;
        case 4: {
          const std::string& other = seeds[rng() % seeds.size()];
          if (!other.empty()) input += other.substr(rng() % other.size());
          break;
        }
        case 5:
          if (input.size() > 1) {
            const size_t a = rng() % input.size(), b = rng() % input.size();
            std::swap(input[a], input[b]);
          }
          break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    ++runs;
  }
  std::printf("fuzz driver: %zu seeds, %llu mutated runs, no crash\n", seeds.size(),
              static_cast<unsigned long long>(runs));
  return 0;
}
