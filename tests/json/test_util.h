// Parsing helpers for the json tests: each Doc keeps its own parser so several documents can be alive.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>

namespace floe::json::testing {

class Doc {
 public:
  explicit Doc(const std::string& text) : padded_(text) {
    auto err = parser_.parse(padded_).get(root_);
    if (err) throw std::runtime_error(std::string("bad test JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::element root() const { return root_; }
  simdjson::dom::object object() const { return root_.get_object().value_unsafe(); }

 private:
  simdjson::padded_string padded_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

}  // namespace floe::json::testing
