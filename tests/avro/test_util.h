// Helpers shared by the avro tests: running the python3-avro fixture script, and rendering a ColumnarBatch
// as text so expected columns (values and Dremel levels) can be written down exactly.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "columnar/column_buffer.h"

#include <unistd.h>

namespace floe::avro::testing {

inline std::string SourceDir() {
  const char* d = std::getenv("FLOE_SOURCE_DIR");
  return d ? d : ".";
}

// A fresh directory for this process's test files, removed when the process exits.
inline std::string ScratchDir(const std::string& name) {
  const char* b = std::getenv("FLOE_BINARY_DIR");
  // Per process: ctest runs the tests of one binary in parallel processes, which must not share a directory.
  const std::string dir = std::string(b ? b : "/tmp") + "/avro-test-" + name + "-" + std::to_string(::getpid());
  std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
  static std::vector<std::string>* made = [] {
    auto* dirs = new std::vector<std::string>;
    std::atexit([] {
      for (const auto& d : *made) std::system(("rm -rf '" + d + "'").c_str());
    });
    return dirs;
  }();
  made->push_back(dir);
  return dir;
}

// Runs a command and returns its stdout; exit status in *status.
inline std::string Run(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (status) *status = rc;
  return out;
}

inline std::string FixtureScript() { return "/usr/bin/python3 " + SourceDir() + "/tests/avro/avro_fixtures.py"; }

inline nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

inline std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

// One line per column: "path: e e e", each entry "[r/]d:value" (levels only when the column has them;
// "-" for an entry without a value). Byte arrays print as 'text' when printable, else 0xHEX; fixed as 0xHEX.
inline std::string Render(const columnar::ColumnarBatch& batch) {
  std::string out;
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const auto& col = batch.column(c);
    out += col.leaf().dotted_path() + ":";
    size_t v = 0;
    for (size_t e = 0; e < col.num_entries(); ++e) {
      out += ' ';
      const int16_t def = col.max_definition_level() ? col.def_levels()[e] : 0;
      if (col.max_repetition_level()) out += std::to_string(col.rep_levels()[e]) + "/";
      if (col.max_definition_level()) out += std::to_string(def) + ":";
      if (def < col.max_definition_level()) {
        out += '-';
        continue;
      }
      const auto* f = col.fixed().data();
      switch (col.physical()) {
        case columnar::PhysicalType::kBoolean: out += f[v] ? "true" : "false"; break;
        case columnar::PhysicalType::kInt32: {
          int32_t x;
          std::memcpy(&x, f + v * 4, 4);
          out += std::to_string(x);
          break;
        }
        case columnar::PhysicalType::kInt64: {
          int64_t x;
          std::memcpy(&x, f + v * 8, 8);
          out += std::to_string(x);
          break;
        }
        case columnar::PhysicalType::kFloat: {
          float x;
          std::memcpy(&x, f + v * 4, 4);
          std::ostringstream os;
          os << x;
          out += os.str();
          break;
        }
        case columnar::PhysicalType::kDouble: {
          double x;
          std::memcpy(&x, f + v * 8, 8);
          std::ostringstream os;
          os << x;
          out += os.str();
          break;
        }
        case columnar::PhysicalType::kFixedLenByteArray: {
          const size_t w = col.FixedWidth();
          out += "0x" + Hex(std::string_view(reinterpret_cast<const char*>(f) + v * w, w));
          break;
        }
        case columnar::PhysicalType::kByteArray: {
          const std::string_view s = col.bytes_value(v);
          bool printable = true;
          for (unsigned char ch : s) printable = printable && ch >= 0x20 && ch < 0x7f && ch != '\'';
          out += printable ? "'" + std::string(s) + "'" : "0x" + Hex(s);
          break;
        }
      }
      ++v;
    }
    out += '\n';
  }
  return out;
}

}  // namespace floe::avro::testing
