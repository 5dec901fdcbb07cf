#include "parquet/format.h"

#include "parquet/errors.h"
#include "parquet/thrift_compact.h"

namespace floe::parquet::format {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

const char* TypeName(Type t) {
  switch (t) {
    case Type::kBoolean: return "BOOLEAN";
    case Type::kInt32: return "INT32";
    case Type::kInt64: return "INT64";
    case Type::kInt96: return "INT96";
    case Type::kFloat: return "FLOAT";
    case Type::kDouble: return "DOUBLE";
    case Type::kByteArray: return "BYTE_ARRAY";
    case Type::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "?";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain: return "PLAIN";
    case Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::kRle: return "RLE";
    case Encoding::kBitPacked: return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary: return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return "?";
}

const char* CodecName(Codec c) {
  switch (c) {
    case Codec::kUncompressed: return "UNCOMPRESSED";
    case Codec::kSnappy: return "SNAPPY";
    case Codec::kGzip: return "GZIP";
    case Codec::kLzo: return "LZO";
    case Codec::kBrotli: return "BROTLI";
    case Codec::kLz4: return "LZ4";
    case Codec::kZstd: return "ZSTD";
    case Codec::kLz4Raw: return "LZ4_RAW";
  }
  return "?";
}

const char* ConvertedTypeName(ConvertedType c) {
  static const char* const kNames[] = {"UTF8",         "MAP",         "MAP_KEY_VALUE",    "LIST",
                                       "ENUM",         "DECIMAL",     "DATE",             "TIME_MILLIS",
                                       "TIME_MICROS",  "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8",
                                       "UINT_16",      "UINT_32",     "UINT_64",          "INT_8",
                                       "INT_16",       "INT_32",      "INT_64",           "JSON",
                                       "BSON",         "INTERVAL"};
  const int i = static_cast<int>(c);
  return i >= 0 && i <= 21 ? kNames[i] : "?";
}

// ---------------------------------------------------------------------------------------------------------
// Writing

namespace {

void WriteLogicalType(CompactWriter& w, const LogicalType& lt) {
  w.FieldStructBegin(10);
  switch (lt.kind) {
    case LogicalType::kDecimal:
      w.FieldStructBegin(5);
      w.FieldI32(1, lt.scale);
      w.FieldI32(2, lt.precision);
      w.EndStruct();
      break;
    case LogicalType::kTime:
    case LogicalType::kTimestamp:
      w.FieldStructBegin(lt.kind);
      w.FieldBool(1, lt.adjusted_to_utc);
      w.FieldStructBegin(2);
      w.FieldEmptyStruct(lt.unit);
      w.EndStruct();
      w.EndStruct();
      break;
    case LogicalType::kInteger:
      w.FieldStructBegin(10);
      w.FieldI8(1, lt.bit_width);
      w.FieldBool(2, lt.is_signed);
      w.EndStruct();
      break;
    default:
      w.FieldEmptyStruct(lt.kind);
      break;
  }
  w.EndStruct();
}

void WriteSchemaElement(CompactWriter& w, const SchemaElement& e) {
  w.BeginStruct();
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition) w.FieldI32(3, static_cast<int32_t>(*e.repetition));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical.kind != LogicalType::kNone) WriteLogicalType(w, e.logical);
  w.EndStruct();
}

void WriteStatistics(CompactWriter& w, int16_t id, const Statistics& s) {
  w.FieldStructBegin(id);
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.FieldBool(8, *s.is_min_value_exact);
  if (s.nan_count) w.FieldI64(9, *s.nan_count);
  w.EndStruct();
}

void WriteKeyValues(CompactWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  w.FieldListBegin(id, CType::kStruct, kvs.size());
  for (const auto& kv : kvs) {
    w.BeginStruct();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.EndStruct();
  }
}

void WriteColumnMetaData(CompactWriter& w, const ColumnMetaData& m) {
  w.FieldStructBegin(3);
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.FieldListBegin(2, CType::kI32, m.encodings.size());
  for (auto e : m.encodings) w.ElemI32(static_cast<int32_t>(e));
  w.FieldListBegin(3, CType::kBinary, m.path_in_schema.size());
  for (const auto& p : m.path_in_schema) w.ElemBinary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) WriteKeyValues(w, 8, m.key_value_metadata);
  w.FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w.FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) WriteStatistics(w, 12, *m.statistics);
  if (!m.encoding_stats.empty()) {
    w.FieldListBegin(13, CType::kStruct, m.encoding_stats.size());
    for (const auto& s : m.encoding_stats) {
      w.BeginStruct();
      w.FieldI32(1, static_cast<int32_t>(s.page_type));
      w.FieldI32(2, static_cast<int32_t>(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  if (m.bloom_filter_offset) w.FieldI64(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w.FieldI32(15, *m.bloom_filter_length);
  w.EndStruct();
}

}  // namespace

void Serialize(const FileMetaData& v, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, v.version);
  w.FieldListBegin(2, CType::kStruct, v.schema.size());
  for (const auto& e : v.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, v.num_rows);
  w.FieldListBegin(4, CType::kStruct, v.row_groups.size());
  for (const auto& rg : v.row_groups) {
    w.BeginStruct();
    w.FieldListBegin(1, CType::kStruct, rg.columns.size());
    for (const auto& c : rg.columns) {
      w.BeginStruct();
      if (c.file_path) w.FieldBinary(1, *c.file_path);
      w.FieldI64(2, c.file_offset);
      if (c.meta_data) WriteColumnMetaData(w, *c.meta_data);
      if (c.offset_index_offset) w.FieldI64(4, *c.offset_index_offset);
      if (c.offset_index_length) w.FieldI32(5, *c.offset_index_length);
      if (c.column_index_offset) w.FieldI64(6, *c.column_index_offset);
      if (c.column_index_length) w.FieldI32(7, *c.column_index_length);
      w.EndStruct();
    }
    w.FieldI64(2, rg.total_byte_size);
    w.FieldI64(3, rg.num_rows);
    if (rg.file_offset) w.FieldI64(5, *rg.file_offset);
    if (rg.total_compressed_size) w.FieldI64(6, *rg.total_compressed_size);
    if (rg.ordinal) w.FieldI16(7, *rg.ordinal);
    w.EndStruct();
  }
  if (!v.key_value_metadata.empty()) WriteKeyValues(w, 5, v.key_value_metadata);
  if (v.created_by) w.FieldBinary(6, *v.created_by);
  if (!v.column_orders.empty()) {
    w.FieldListBegin(7, CType::kStruct, v.column_orders.size());
    for (int16_t o : v.column_orders) {
      w.BeginStruct();
      w.FieldEmptyStruct(o);
      w.EndStruct();
    }
  }
  out->push_back(0);
}

void Serialize(const PageHeader& v, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, static_cast<int32_t>(v.type));
  w.FieldI32(2, v.uncompressed_page_size);
  w.FieldI32(3, v.compressed_page_size);
  if (v.crc) w.FieldI32(4, *v.crc);
  if (v.data_page_header) {
    const auto& h = *v.data_page_header;
    w.FieldStructBegin(5);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, static_cast<int32_t>(h.encoding));
    w.FieldI32(3, static_cast<int32_t>(h.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(h.repetition_level_encoding));
    if (h.statistics) WriteStatistics(w, 5, *h.statistics);
    w.EndStruct();
  }
  if (v.dictionary_page_header) {
    const auto& h = *v.dictionary_page_header;
    w.FieldStructBegin(7);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, static_cast<int32_t>(h.encoding));
    if (h.is_sorted) w.FieldBool(3, *h.is_sorted);
    w.EndStruct();
  }
  if (v.data_page_header_v2) {
    const auto& h = *v.data_page_header_v2;
    w.FieldStructBegin(8);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, h.num_nulls);
    w.FieldI32(3, h.num_rows);
    w.FieldI32(4, static_cast<int32_t>(h.encoding));
    w.FieldI32(5, h.definition_levels_byte_length);
    w.FieldI32(6, h.repetition_levels_byte_length);
    w.FieldBool(7, h.is_compressed);
    if (h.statistics) WriteStatistics(w, 8, *h.statistics);
    w.EndStruct();
  }
  out->push_back(0);
}

void Serialize(const ColumnIndex& v, std::string* out) {
  CompactWriter w(out);
  w.FieldListBegin(1, CType::kTrue, v.null_pages.size());
  for (bool b : v.null_pages) w.ElemBool(b);
  w.FieldListBegin(2, CType::kBinary, v.min_values.size());
  for (const auto& s : v.min_values) w.ElemBinary(s);
  w.FieldListBegin(3, CType::kBinary, v.max_values.size());
  for (const auto& s : v.max_values) w.ElemBinary(s);
  w.FieldI32(4, static_cast<int32_t>(v.boundary_order));
  if (!v.null_counts.empty()) {
    w.FieldListBegin(5, CType::kI64, v.null_counts.size());
    for (int64_t n : v.null_counts) w.ElemI64(n);
  }
  out->push_back(0);
}

void Serialize(const OffsetIndex& v, std::string* out) {
  CompactWriter w(out);
  w.FieldListBegin(1, CType::kStruct, v.page_locations.size());
  for (const auto& p : v.page_locations) {
    w.BeginStruct();
    w.FieldI64(1, p.offset);
    w.FieldI32(2, p.compressed_page_size);
    w.FieldI64(3, p.first_row_index);
    w.EndStruct();
  }
  if (!v.unencoded_byte_array_data_bytes.empty()) {
    w.FieldListBegin(2, CType::kI64, v.unencoded_byte_array_data_bytes.size());
    for (int64_t n : v.unencoded_byte_array_data_bytes) w.ElemI64(n);
  }
  out->push_back(0);
}

void Serialize(const BloomFilterHeader& v, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, v.num_bytes);
  w.FieldStructBegin(2);
  w.FieldEmptyStruct(1);  // BLOCK
  w.EndStruct();
  w.FieldStructBegin(3);
  w.FieldEmptyStruct(1);  // XXHASH
  w.EndStruct();
  w.FieldStructBegin(4);
  w.FieldEmptyStruct(1);  // UNCOMPRESSED
  w.EndStruct();
  out->push_back(0);
}

// ---------------------------------------------------------------------------------------------------------
// Reading

namespace {

// Calls fn(id, type) for every field of a struct; fn must consume the value (or Skip it).
template <typename Fn>
void ForEachField(CompactReader& r, Fn&& fn) {
  r.BeginStruct();
  int16_t id;
  CType t;
  while (r.NextField(&id, &t)) fn(id, t);
  r.EndStruct();
}

// Reads a list of `elem` values with fn(reader) per element.
template <typename Fn>
void ForEachElement(CompactReader& r, CType expected, Fn&& fn) {
  CType elem;
  uint32_t n;
  if (!r.ReadListHeader(&elem, &n)) return;
  const bool is_bool = expected == CType::kTrue;
  if (is_bool ? (elem != CType::kTrue && elem != CType::kFalse) : elem != expected) {
    // Wrong element type: consume the elements so the struct stays in sync, keep nothing.
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      if (elem == CType::kTrue || elem == CType::kFalse) r.ReadI8(); else r.Skip(elem);
    }
    return;
  }
  for (uint32_t i = 0; i < n && r.ok(); ++i) fn();
}

template <typename E>
E ReadEnum(CompactReader& r) {
  return static_cast<E>(r.ReadI32());
}

// Reads a field value of an expected wire type, skipping it (and leaving out untouched) when the wire type
// differs: a writer using a different type for a known field is corrupt, but we stay in sync.
#define FLOE_EXPECT(t, want) \
  if ((t) != (want)) {       \
    r.Skip(t);               \
    return;                  \
  }

void ReadLogicalType(CompactReader& r, LogicalType* lt) {
  ForEachField(r, [&](int16_t id, CType t) {
    if (t != CType::kStruct) {
      r.Skip(t);
      return;
    }
    lt->kind = static_cast<LogicalType::Kind>(id);
    switch (id) {
      case LogicalType::kDecimal:
        ForEachField(r, [&](int16_t fid, CType ft) {
          if (fid == 1 && ft == CType::kI32) lt->scale = r.ReadI32();
          else if (fid == 2 && ft == CType::kI32) lt->precision = r.ReadI32();
          else r.Skip(ft);
        });
        break;
      case LogicalType::kTime:
      case LogicalType::kTimestamp:
        ForEachField(r, [&](int16_t fid, CType ft) {
          if (fid == 1 && (ft == CType::kTrue || ft == CType::kFalse)) {
            lt->adjusted_to_utc = r.ReadBool(ft);
          } else if (fid == 2 && ft == CType::kStruct) {
            ForEachField(r, [&](int16_t uid, CType ut) {
              if (uid >= 1 && uid <= 3) lt->unit = static_cast<LogicalType::Unit>(uid);
              r.Skip(ut);
            });
          } else {
            r.Skip(ft);
          }
        });
        break;
      case LogicalType::kInteger:
        ForEachField(r, [&](int16_t fid, CType ft) {
          if (fid == 1 && ft == CType::kByte) lt->bit_width = r.ReadI8();
          else if (fid == 2 && (ft == CType::kTrue || ft == CType::kFalse)) lt->is_signed = r.ReadBool(ft);
          else r.Skip(ft);
        });
        break;
      default:
        r.Skip(t);
        break;
    }
  });
}

void ReadSchemaElement(CompactReader& r, SchemaElement* e) {
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1: FLOE_EXPECT(t, CType::kI32); e->type = ReadEnum<Type>(r); break;
      case 2: FLOE_EXPECT(t, CType::kI32); e->type_length = r.ReadI32(); break;
      case 3: FLOE_EXPECT(t, CType::kI32); e->repetition = ReadEnum<Repetition>(r); break;
      case 4: FLOE_EXPECT(t, CType::kBinary); e->name = r.ReadBinary(); break;
      case 5: FLOE_EXPECT(t, CType::kI32); e->num_children = r.ReadI32(); break;
      case 6: FLOE_EXPECT(t, CType::kI32); e->converted_type = ReadEnum<ConvertedType>(r); break;
      case 7: FLOE_EXPECT(t, CType::kI32); e->scale = r.ReadI32(); break;
      case 8: FLOE_EXPECT(t, CType::kI32); e->precision = r.ReadI32(); break;
      case 9: FLOE_EXPECT(t, CType::kI32); e->field_id = r.ReadI32(); break;
      case 10: FLOE_EXPECT(t, CType::kStruct); ReadLogicalType(r, &e->logical); break;
      default: r.Skip(t); break;
    }
  });
}

void ReadStatistics(CompactReader& r, Statistics* s) {
  ForEachField(r, [&](int16_t id, CType t) {
    const bool is_bool = t == CType::kTrue || t == CType::kFalse;
    switch (id) {
      case 1: FLOE_EXPECT(t, CType::kBinary); s->max = r.ReadBinary(); break;
      case 2: FLOE_EXPECT(t, CType::kBinary); s->min = r.ReadBinary(); break;
      case 3: FLOE_EXPECT(t, CType::kI64); s->null_count = r.ReadI64(); break;
      case 4: FLOE_EXPECT(t, CType::kI64); s->distinct_count = r.ReadI64(); break;
      case 5: FLOE_EXPECT(t, CType::kBinary); s->max_value = r.ReadBinary(); break;
      case 6: FLOE_EXPECT(t, CType::kBinary); s->min_value = r.ReadBinary(); break;
      case 7: if (is_bool) s->is_max_value_exact = r.ReadBool(t); else r.Skip(t); break;
      case 8: if (is_bool) s->is_min_value_exact = r.ReadBool(t); else r.Skip(t); break;
      case 9: FLOE_EXPECT(t, CType::kI64); s->nan_count = r.ReadI64(); break;
      default: r.Skip(t); break;
    }
  });
}

void ReadKeyValues(CompactReader& r, std::vector<KeyValue>* out) {
  ForEachElement(r, CType::kStruct, [&] {
    KeyValue kv;
    ForEachField(r, [&](int16_t id, CType t) {
      if (id == 1 && t == CType::kBinary) kv.key = r.ReadBinary();
      else if (id == 2 && t == CType::kBinary) kv.value = r.ReadBinary();
      else r.Skip(t);
    });
    out->push_back(std::move(kv));
  });
}

void ReadColumnMetaData(CompactReader& r, ColumnMetaData* m) {
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1: FLOE_EXPECT(t, CType::kI32); m->type = ReadEnum<Type>(r); break;
      case 2:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kI32, [&] { m->encodings.push_back(ReadEnum<Encoding>(r)); });
        break;
      case 3:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kBinary, [&] { m->path_in_schema.push_back(r.ReadBinary()); });
        break;
      case 4: FLOE_EXPECT(t, CType::kI32); m->codec = ReadEnum<Codec>(r); break;
      case 5: FLOE_EXPECT(t, CType::kI64); m->num_values = r.ReadI64(); break;
      case 6: FLOE_EXPECT(t, CType::kI64); m->total_uncompressed_size = r.ReadI64(); break;
      case 7: FLOE_EXPECT(t, CType::kI64); m->total_compressed_size = r.ReadI64(); break;
      case 8: FLOE_EXPECT(t, CType::kList); ReadKeyValues(r, &m->key_value_metadata); break;
      case 9: FLOE_EXPECT(t, CType::kI64); m->data_page_offset = r.ReadI64(); break;
      case 10: FLOE_EXPECT(t, CType::kI64); m->index_page_offset = r.ReadI64(); break;
      case 11: FLOE_EXPECT(t, CType::kI64); m->dictionary_page_offset = r.ReadI64(); break;
      case 12: FLOE_EXPECT(t, CType::kStruct); m->statistics.emplace(); ReadStatistics(r, &*m->statistics); break;
      case 13:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kStruct, [&] {
          PageEncodingStats s;
          ForEachField(r, [&](int16_t fid, CType ft) {
            if (fid == 1 && ft == CType::kI32) s.page_type = ReadEnum<PageType>(r);
            else if (fid == 2 && ft == CType::kI32) s.encoding = ReadEnum<Encoding>(r);
            else if (fid == 3 && ft == CType::kI32) s.count = r.ReadI32();
            else r.Skip(ft);
          });
          m->encoding_stats.push_back(s);
        });
        break;
      case 14: FLOE_EXPECT(t, CType::kI64); m->bloom_filter_offset = r.ReadI64(); break;
      case 15: FLOE_EXPECT(t, CType::kI32); m->bloom_filter_length = r.ReadI32(); break;
      default: r.Skip(t); break;
    }
  });
}

void ReadColumnChunk(CompactReader& r, ColumnChunk* c) {
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1: FLOE_EXPECT(t, CType::kBinary); c->file_path = r.ReadBinary(); break;
      case 2: FLOE_EXPECT(t, CType::kI64); c->file_offset = r.ReadI64(); break;
      case 3: FLOE_EXPECT(t, CType::kStruct); c->meta_data.emplace(); ReadColumnMetaData(r, &*c->meta_data); break;
      case 4: FLOE_EXPECT(t, CType::kI64); c->offset_index_offset = r.ReadI64(); break;
      case 5: FLOE_EXPECT(t, CType::kI32); c->offset_index_length = r.ReadI32(); break;
      case 6: FLOE_EXPECT(t, CType::kI64); c->column_index_offset = r.ReadI64(); break;
      case 7: FLOE_EXPECT(t, CType::kI32); c->column_index_length = r.ReadI32(); break;
      case 8:
      case 9: c->encrypted = true; r.Skip(t); break;
      default: r.Skip(t); break;
    }
  });
}

void ReadRowGroup(CompactReader& r, RowGroup* rg) {
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kStruct, [&] {
          rg->columns.emplace_back();
          ReadColumnChunk(r, &rg->columns.back());
        });
        break;
      case 2: FLOE_EXPECT(t, CType::kI64); rg->total_byte_size = r.ReadI64(); break;
      case 3: FLOE_EXPECT(t, CType::kI64); rg->num_rows = r.ReadI64(); break;
      case 5: FLOE_EXPECT(t, CType::kI64); rg->file_offset = r.ReadI64(); break;
      case 6: FLOE_EXPECT(t, CType::kI64); rg->total_compressed_size = r.ReadI64(); break;
      case 7:
        if (t == CType::kI16 || t == CType::kI32) rg->ordinal = static_cast<int16_t>(r.ReadI32());
        else r.Skip(t);
        break;
      default: r.Skip(t); break;
    }
  });
}

Status Finish(const CompactReader& r, const char* what, size_t* consumed) {
  if (!r.ok()) return Corrupt(std::string(what) + ": " + r.error());
  if (consumed) *consumed = r.position();
  return Status::Ok();
}

}  // namespace

Status Parse(const uint8_t* data, size_t size, FileMetaData* out, size_t* consumed) {
  CompactReader r(data, size);
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1: FLOE_EXPECT(t, CType::kI32); out->version = r.ReadI32(); break;
      case 2:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kStruct, [&] {
          out->schema.emplace_back();
          ReadSchemaElement(r, &out->schema.back());
        });
        break;
      case 3: FLOE_EXPECT(t, CType::kI64); out->num_rows = r.ReadI64(); break;
      case 4:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kStruct, [&] {
          out->row_groups.emplace_back();
          ReadRowGroup(r, &out->row_groups.back());
        });
        break;
      case 5: FLOE_EXPECT(t, CType::kList); ReadKeyValues(r, &out->key_value_metadata); break;
      case 6: FLOE_EXPECT(t, CType::kBinary); out->created_by = r.ReadBinary(); break;
      case 7:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kStruct, [&] {
          int16_t order = 0;
          ForEachField(r, [&](int16_t oid, CType ot) {
            order = oid;
            r.Skip(ot);
          });
          out->column_orders.push_back(order);
        });
        break;
      case 8: out->encrypted = true; r.Skip(t); break;
      default: r.Skip(t); break;
    }
  });
  return Finish(r, "file metadata", consumed);
}

Status Parse(const uint8_t* data, size_t size, PageHeader* out, size_t* consumed) {
  CompactReader r(data, size);
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1: FLOE_EXPECT(t, CType::kI32); out->type = ReadEnum<PageType>(r); break;
      case 2: FLOE_EXPECT(t, CType::kI32); out->uncompressed_page_size = r.ReadI32(); break;
      case 3: FLOE_EXPECT(t, CType::kI32); out->compressed_page_size = r.ReadI32(); break;
      case 4: FLOE_EXPECT(t, CType::kI32); out->crc = r.ReadI32(); break;
      case 5: {
        FLOE_EXPECT(t, CType::kStruct);
        auto& h = out->data_page_header.emplace();
        ForEachField(r, [&](int16_t fid, CType ft) {
          switch (fid) {
            case 1: if (ft == CType::kI32) h.num_values = r.ReadI32(); else r.Skip(ft); break;
            case 2: if (ft == CType::kI32) h.encoding = ReadEnum<Encoding>(r); else r.Skip(ft); break;
            case 3: if (ft == CType::kI32) h.definition_level_encoding = ReadEnum<Encoding>(r); else r.Skip(ft); break;
            case 4: if (ft == CType::kI32) h.repetition_level_encoding = ReadEnum<Encoding>(r); else r.Skip(ft); break;
            case 5:
              if (ft == CType::kStruct) { h.statistics.emplace(); ReadStatistics(r, &*h.statistics); }
              else r.Skip(ft);
              break;
            default: r.Skip(ft); break;
          }
        });
        break;
      }
      case 7: {
        FLOE_EXPECT(t, CType::kStruct);
        auto& h = out->dictionary_page_header.emplace();
        ForEachField(r, [&](int16_t fid, CType ft) {
          if (fid == 1 && ft == CType::kI32) h.num_values = r.ReadI32();
          else if (fid == 2 && ft == CType::kI32) h.encoding = ReadEnum<Encoding>(r);
          else if (fid == 3 && (ft == CType::kTrue || ft == CType::kFalse)) h.is_sorted = r.ReadBool(ft);
          else r.Skip(ft);
        });
        break;
      }
      case 8: {
        FLOE_EXPECT(t, CType::kStruct);
        auto& h = out->data_page_header_v2.emplace();
        ForEachField(r, [&](int16_t fid, CType ft) {
          const bool is_i32 = ft == CType::kI32;
          switch (fid) {
            case 1: if (is_i32) h.num_values = r.ReadI32(); else r.Skip(ft); break;
            case 2: if (is_i32) h.num_nulls = r.ReadI32(); else r.Skip(ft); break;
            case 3: if (is_i32) h.num_rows = r.ReadI32(); else r.Skip(ft); break;
            case 4: if (is_i32) h.encoding = ReadEnum<Encoding>(r); else r.Skip(ft); break;
            case 5: if (is_i32) h.definition_levels_byte_length = r.ReadI32(); else r.Skip(ft); break;
            case 6: if (is_i32) h.repetition_levels_byte_length = r.ReadI32(); else r.Skip(ft); break;
            case 7:
              if (ft == CType::kTrue || ft == CType::kFalse) h.is_compressed = r.ReadBool(ft);
              else r.Skip(ft);
              break;
            case 8:
              if (ft == CType::kStruct) { h.statistics.emplace(); ReadStatistics(r, &*h.statistics); }
              else r.Skip(ft);
              break;
            default: r.Skip(ft); break;
          }
        });
        break;
      }
      default: r.Skip(t); break;
    }
  });
  return Finish(r, "page header", consumed);
}

Status Parse(const uint8_t* data, size_t size, ColumnIndex* out, size_t* consumed) {
  CompactReader r(data, size);
  ForEachField(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kTrue, [&] { out->null_pages.push_back(r.ReadBoolElement()); });
        break;
      case 2:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kBinary, [&] { out->min_values.push_back(r.ReadBinary()); });
        break;
      case 3:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kBinary, [&] { out->max_values.push_back(r.ReadBinary()); });
        break;
      case 4: FLOE_EXPECT(t, CType::kI32); out->boundary_order = ReadEnum<BoundaryOrder>(r); break;
      case 5:
        FLOE_EXPECT(t, CType::kList);
        ForEachElement(r, CType::kI64, [&] { out->null_counts.push_back(r.ReadI64()); });
        break;
      default: r.Skip(t); break;
    }
  });
  return Finish(r, "column index", consumed);
}

Status Parse(const uint8_t* data, size_t size, OffsetIndex* out, size_t* consumed) {
  CompactReader r(data, size);
  ForEachField(r, [&](int16_t id, CType t) {
    if (id == 1 && t == CType::kList) {
      ForEachElement(r, CType::kStruct, [&] {
        PageLocation p;
        ForEachField(r, [&](int16_t fid, CType ft) {
          if (fid == 1 && ft == CType::kI64) p.offset = r.ReadI64();
          else if (fid == 2 && ft == CType::kI32) p.compressed_page_size = r.ReadI32();
          else if (fid == 3 && ft == CType::kI64) p.first_row_index = r.ReadI64();
          else r.Skip(ft);
        });
        out->page_locations.push_back(p);
      });
    } else if (id == 2 && t == CType::kList) {
      ForEachElement(r, CType::kI64, [&] { out->unencoded_byte_array_data_bytes.push_back(r.ReadI64()); });
    } else {
      r.Skip(t);
    }
  });
  return Finish(r, "offset index", consumed);
}

Status Parse(const uint8_t* data, size_t size, BloomFilterHeader* out, size_t* consumed) {
  CompactReader r(data, size);
  bool block = false, xxhash = false, uncompressed = false;
  auto union_member = [&](bool* flag) {
    ForEachField(r, [&](int16_t uid, CType ut) {
      if (uid == 1) *flag = true;
      r.Skip(ut);
    });
  };
  ForEachField(r, [&](int16_t id, CType t) {
    if (id == 1 && t == CType::kI32) out->num_bytes = r.ReadI32();
    else if (id == 2 && t == CType::kStruct) union_member(&block);
    else if (id == 3 && t == CType::kStruct) union_member(&xxhash);
    else if (id == 4 && t == CType::kStruct) union_member(&uncompressed);
    else r.Skip(t);
  });
  FLOE_RETURN_IF_ERROR(Finish(r, "bloom filter header", consumed));
  if (!block || !xxhash || !uncompressed)
    return Error(ParquetError::kUnsupported, "bloom filter is not split-block/xxhash/uncompressed");
  return Status::Ok();
}

#undef FLOE_EXPECT

}  // namespace floe::parquet::format
