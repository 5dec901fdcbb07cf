#include "avro/resolution.h"

#include <set>
#include <utility>

namespace floe::avro {

bool NamesMatch(const TypeNode& writer, const TypeNode& reader) {
  if (writer.full_name == reader.full_name || writer.name == reader.name) return true;
  for (const auto& a : reader.aliases)
    if (a == writer.full_name) return true;
  return false;
}

namespace {

bool Promotes(Type w, Type r) {
  switch (w) {
    case Type::kInt: return r == Type::kLong || r == Type::kFloat || r == Type::kDouble;
    case Type::kLong: return r == Type::kFloat || r == Type::kDouble;
    case Type::kFloat: return r == Type::kDouble;
    case Type::kString: return r == Type::kBytes;
    case Type::kBytes: return r == Type::kString;
    default: return false;
  }
}

bool SameKind(const TypeNode& w, const TypeNode& r) {
  if (w.type != r.type) return false;
  if (w.is_named()) return NamesMatch(w, r) && (w.type != Type::kFixed || w.size == r.size);
  return true;
}

std::string Describe(const TypeNode& t) {
  return t.is_named() ? std::string(TypeName(t.type)) + " '" + t.full_name + "'" : std::string(TypeName(t.type));
}

class Checker {
 public:
  std::vector<std::string> problems;

  void Check(const TypeNode& w, const TypeNode& r, const std::string& where) {
    // Recursive types: a pair already under inspection is assumed readable (the rest of the cycle decides).
    if (!open_.insert({&w, &r}).second) return;
    CheckInner(w, r, where);
    open_.erase({&w, &r});
  }

 private:
  void Add(const std::string& where, const std::string& what) {
    problems.push_back(where.empty() ? what : where + ": " + what);
  }

  void CheckInner(const TypeNode& w, const TypeNode& r, const std::string& where) {
    if (w.type == Type::kUnion) {
      for (size_t i = 0; i < w.branches.size(); ++i) Check(*w.branches[i], r, where);
      return;
    }
    if (r.type == Type::kUnion) {
      const int b = ReaderBranchFor(w, r);
      if (b < 0) {
        Add(where, "writer type " + Describe(w) + " matches no branch of the reader's union");
        return;
      }
      Check(w, *r.branches[static_cast<size_t>(b)], where);
      return;
    }
    if (!TopLevelMatch(w, r)) {
      if (w.type == r.type && w.type == Type::kFixed && NamesMatch(w, r)) {
        Add(where, "fixed '" + r.full_name + "' has size " + std::to_string(w.size) + " in the writer and " +
                       std::to_string(r.size) + " in the reader");
      } else if (w.type == r.type && w.is_named()) {
        Add(where, "writer " + Describe(w) + " has a different name than reader " + Describe(r));
      } else {
        Add(where, "writer type " + Describe(w) + " cannot be read as " + Describe(r));
      }
      return;
    }
    switch (r.type) {
      case Type::kRecord:
        for (const auto& rf : r.fields) {
          const std::string fw = "field '" + rf.name + "' of record '" + r.name + "'";
          const Field* wf = WriterFieldFor(w, rf);
          if (!wf) {
            if (!rf.default_value)
              Add(where, fw + ": the reader adds it without a default");
            continue;
          }
          Check(*wf->type, *rf.type, where.empty() ? fw : where + " > " + fw);
        }
        return;
      case Type::kEnum:
        if (r.enum_default) return;
        for (const auto& s : w.symbols) {
          bool found = false;
          for (const auto& rs : r.symbols) found = found || rs == s;
          if (!found) Add(where, "enum '" + r.name + "': reader has no symbol '" + s + "' and no default");
        }
        return;
      case Type::kArray: Check(*w.items, *r.items, where.empty() ? "array items" : where + " > array items"); return;
      case Type::kMap: Check(*w.values, *r.values, where.empty() ? "map values" : where + " > map values"); return;
      default: return;
    }
  }

  std::set<std::pair<const TypeNode*, const TypeNode*>> open_;
};

}  // namespace

bool TopLevelMatch(const TypeNode& w, const TypeNode& r) {
  if (w.type == Type::kUnion || r.type == Type::kUnion) return false;
  return SameKind(w, r) || Promotes(w.type, r.type);
}

int ReaderBranchFor(const TypeNode& w, const TypeNode& reader_union) {
  const auto& b = reader_union.branches;
  for (size_t i = 0; i < b.size(); ++i)
    if (SameKind(w, *b[i])) return static_cast<int>(i);
  for (size_t i = 0; i < b.size(); ++i)
    if (Promotes(w.type, b[i]->type)) return static_cast<int>(i);
  return -1;
}

const Field* WriterFieldFor(const TypeNode& writer_record, const Field& reader_field) {
  if (const Field* f = writer_record.FindField(reader_field.name)) return f;
  for (const auto& a : reader_field.aliases)
    if (const Field* f = writer_record.FindField(a)) return f;
  return nullptr;
}

std::vector<std::string> ReadabilityProblems(const TypeNode& writer, const TypeNode& reader) {
  Checker c;
  c.Check(writer, reader, "");
  return std::move(c.problems);
}

}  // namespace floe::avro
