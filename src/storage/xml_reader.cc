#include "storage/xml_reader.h"

#include <cstdlib>

#include "storage/object_store.h"

namespace floe::storage {

const XmlElement* XmlElement::Child(std::string_view child) const {
  for (const auto& c : children) {
    if (c.name == child) return &c;
  }
  return nullptr;
}

std::string_view XmlElement::ChildText(std::string_view child) const {
  const XmlElement* c = Child(child);
  return c ? std::string_view(c->text) : std::string_view();
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children) {
    if (c.name == child) out.push_back(&c);
  }
  return out;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<XmlElement> Document() {
    SkipMisc();
    if (pos_ >= s_.size() || s_[pos_] != '<') return Fail("no root element");
    XmlElement root;
    FLOE_RETURN_IF_ERROR(Element(&root, 0));
    return root;
  }

 private:
  Status Fail(std::string_view why) const {
    return Error(StoreError::kProtocol, "malformed XML at byte " + std::to_string(pos_) + ": " + std::string(why));
  }

  // Skips whitespace, <?...?>, <!--...--> and <!DOCTYPE ...>.
  void SkipMisc() {
    while (pos_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[pos_]))) {
        ++pos_;
      } else if (s_.compare(pos_, 2, "<?") == 0) {
        const size_t e = s_.find("?>", pos_);
        pos_ = e == std::string_view::npos ? s_.size() : e + 2;
      } else if (s_.compare(pos_, 4, "<!--") == 0) {
        const size_t e = s_.find("-->", pos_);
        pos_ = e == std::string_view::npos ? s_.size() : e + 3;
      } else if (s_.compare(pos_, 2, "<!") == 0 && s_.compare(pos_, 9, "<![CDATA[") != 0) {
        const size_t e = s_.find('>', pos_);
        pos_ = e == std::string_view::npos ? s_.size() : e + 1;
      } else {
        break;
      }
    }
  }

  static std::string LocalName(std::string_view qname) {
    const size_t colon = qname.find(':');
    return std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
  }

  Status Decode(std::string_view raw, std::string* out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        *out += raw[i];
        continue;
      }
      const size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos) return Fail("unterminated entity");
      std::string_view ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "amp") *out += '&';
      else if (ent == "lt") *out += '<';
      else if (ent == "gt") *out += '>';
      else if (ent == "quot") *out += '"';
      else if (ent == "apos") *out += '\'';
      else if (!ent.empty() && ent[0] == '#') {
        const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
        const unsigned long cp = std::strtoul(std::string(ent.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10);
        AppendUtf8(static_cast<uint32_t>(cp), out);
      } else {
        return Fail("unknown entity &" + std::string(ent) + ";");
      }
      i = semi;
    }
    return Status::Ok();
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Status Element(XmlElement* el, int depth) {
    if (depth > 64) return Fail("nesting too deep");
    ++pos_;  // '<'
    const size_t name_end = s_.find_first_of(" \t\r\n/>", pos_);
    if (name_end == std::string_view::npos) return Fail("unterminated tag");
    const std::string_view qname = s_.substr(pos_, name_end - pos_);
    el->name = LocalName(qname);
    // Attributes are not needed by any S3 response floe reads; skip them, respecting quotes.
    pos_ = name_end;
    char quote = 0;
    while (pos_ < s_.size() && (quote || (s_[pos_] != '>' && s_.compare(pos_, 2, "/>") != 0))) {
      if (quote && s_[pos_] == quote) quote = 0;
      else if (!quote && (s_[pos_] == '"' || s_[pos_] == '\'')) quote = s_[pos_];
      ++pos_;
    }
    if (pos_ >= s_.size()) return Fail("unterminated tag");
    if (s_[pos_] == '/') {
      pos_ += 2;
      return Status::Ok();
    }
    ++pos_;  // '>'
    while (true) {
      const size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) return Fail("unterminated element " + el->name);
      FLOE_RETURN_IF_ERROR(Decode(s_.substr(pos_, lt - pos_), &el->text));
      pos_ = lt;
      if (s_.compare(pos_, 9, "<![CDATA[") == 0) {
        const size_t e = s_.find("]]>", pos_);
        if (e == std::string_view::npos) return Fail("unterminated CDATA");
        el->text.append(s_.substr(pos_ + 9, e - pos_ - 9));
        pos_ = e + 3;
      } else if (s_.compare(pos_, 4, "<!--") == 0 || s_.compare(pos_, 2, "<?") == 0) {
        SkipMisc();
      } else if (s_.compare(pos_, 2, "</") == 0) {
        const size_t gt = s_.find('>', pos_);
        if (gt == std::string_view::npos) return Fail("unterminated end tag");
        if (s_.substr(pos_ + 2, gt - pos_ - 2) != qname) return Fail("mismatched end tag for " + el->name);
        pos_ = gt + 1;
        return Status::Ok();
      } else {
        el->children.emplace_back();
        FLOE_RETURN_IF_ERROR(Element(&el->children.back(), depth + 1));
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<XmlElement> ParseXml(std::string_view text) { return Parser(text).Document(); }

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace floe::storage
