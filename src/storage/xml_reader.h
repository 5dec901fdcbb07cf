// XmlReader: the small XML subset S3 responses use (elements, text, entities; no namespaces needed, no
// DTDs). Enough to read ListBucketResult, Error, InitiateMultipartUploadResult and friends.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::storage {

struct XmlElement {
  std::string name;  // local name, namespace prefix dropped
  std::string text;  // concatenated character data directly inside the element, entities decoded
  std::vector<XmlElement> children;

  // First direct child with that name, or nullptr.
  const XmlElement* Child(std::string_view child) const;
  // Text of the first direct child with that name, or "".
  std::string_view ChildText(std::string_view child) const;
  std::vector<const XmlElement*> Children(std::string_view child) const;
};

// kProtocol on malformed input.
Result<XmlElement> ParseXml(std::string_view text);
// Escapes &, <, >, " and ' for element text.
std::string XmlEscape(std::string_view text);

}  // namespace floe::storage
