#include "parquet/tools.h"

#include "parquet/row_assembler.h"
#include "parquet/statistics.h"

namespace floe::parquet {

namespace {

std::string Annotation(const format::SchemaElement& e) {
  std::string out;
  const auto& lt = e.logical;
  switch (lt.kind) {
    case format::LogicalType::kNone: break;
    case format::LogicalType::kString: out = "STRING"; break;
    case format::LogicalType::kMap: out = "MAP"; break;
    case format::LogicalType::kList: out = "LIST"; break;
    case format::LogicalType::kEnum: out = "ENUM"; break;
    case format::LogicalType::kDecimal:
      out = "DECIMAL(" + std::to_string(lt.precision) + "," + std::to_string(lt.scale) + ")";
      break;
    case format::LogicalType::kDate: out = "DATE"; break;
    case format::LogicalType::kTime:
    case format::LogicalType::kTimestamp:
      out = std::string(lt.kind == format::LogicalType::kTime ? "TIME" : "TIMESTAMP") + "(" +
            (lt.unit == format::LogicalType::kMillis ? "MILLIS" : lt.unit == format::LogicalType::kMicros ? "MICROS" : "NANOS") +
            (lt.adjusted_to_utc ? ",UTC)" : ",LOCAL)");
      break;
    case format::LogicalType::kInteger:
      out = std::string("INTEGER(") + std::to_string(lt.bit_width) + (lt.is_signed ? ",signed)" : ",unsigned)");
      break;
    case format::LogicalType::kJson: out = "JSON"; break;
    case format::LogicalType::kBson: out = "BSON"; break;
    case format::LogicalType::kUuid: out = "UUID"; break;
    default: out = "logical#" + std::to_string(static_cast<int>(lt.kind)); break;
  }
  if (e.converted_type) {
    if (!out.empty()) out += " / ";
    out += format::ConvertedTypeName(*e.converted_type);
  }
  return out;
}

void PrintSchema(const std::vector<format::SchemaElement>& els, size_t& i, int depth, std::ostream& out) {
  if (i >= els.size()) return;
  const auto& e = els[i++];
  out << std::string(static_cast<size_t>(depth) * 2 + 2, ' ');
  if (e.repetition) {
    out << (*e.repetition == format::Repetition::kRequired ? "required "
            : *e.repetition == format::Repetition::kOptional ? "optional " : "repeated ");
  }
  if (e.type) {
    out << format::TypeName(*e.type);
    if (e.type_length) out << "(" << *e.type_length << ")";
    out << " ";
  } else {
    out << "group ";
  }
  out << e.name;
  const std::string a = Annotation(e);
  if (!a.empty()) out << " (" << a << ")";
  out << "\n";
  const int32_t n = e.num_children.value_or(0);
  for (int32_t k = 0; k < n && i < els.size(); ++k) PrintSchema(els, i, depth + 1, out);
}

}  // namespace

Status InspectParquet(const std::string& path, std::ostream& out) {
  FLOE_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenFile(path));
  const auto& md = reader->metadata();
  out << "file: " << path << " (" << reader->file_size() << " bytes)\n";
  out << "created_by: " << md.created_by.value_or("(unknown)") << "\n";
  out << "version: " << md.version << "\n";
  out << "rows: " << md.num_rows << "\n";
  out << "row_groups: " << md.row_groups.size() << "\n";
  if (!md.key_value_metadata.empty()) {
    out << "key_value_metadata:\n";
    for (const auto& kv : md.key_value_metadata) {
      std::string v = kv.value.value_or("");
      if (v.size() > 200) v = v.substr(0, 200) + "... (" + std::to_string(kv.value->size()) + " bytes)";
      out << "  " << kv.key << " = " << v << "\n";
    }
  }
  out << "schema:\n";
  size_t i = 0;
  PrintSchema(md.schema, i, 0, out);
  const auto& leaves = reader->schema().leaves();
  for (size_t g = 0; g < md.row_groups.size(); ++g) {
    const auto& rg = md.row_groups[g];
    out << "row group " << g << ": rows " << rg.num_rows << ", compressed " << rg.total_compressed_size.value_or(0)
        << " bytes, uncompressed " << rg.total_byte_size << " bytes\n";
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& m = *rg.columns[c].meta_data;
      const auto& node = *leaves[c].node;
      out << "  " << leaves[c].dotted_path() << ": " << format::TypeName(m.type) << " " << format::CodecName(m.codec)
          << " values " << m.num_values << " compressed " << m.total_compressed_size << " uncompressed "
          << m.total_uncompressed_size << " encodings [";
      for (size_t k = 0; k < m.encodings.size(); ++k) out << (k ? "," : "") << format::EncodingName(m.encodings[k]);
      out << "]";
      int data_pages = 0, dict_pages = 0;
      for (const auto& s : m.encoding_stats) {
        if (s.page_type == format::PageType::kDictionaryPage) dict_pages += s.count;
        else data_pages += s.count;
      }
      if (!m.encoding_stats.empty()) out << " pages " << data_pages << (dict_pages ? " +dict" : "");
      if (m.statistics) {
        const auto& st = *m.statistics;
        if (st.null_count) out << " nulls " << *st.null_count;
        if (st.min_value) out << " min " << RenderStatValue(node, *st.min_value);
        if (st.max_value) out << " max " << RenderStatValue(node, *st.max_value);
        if (st.is_max_value_exact && !*st.is_max_value_exact) out << " (truncated)";
      }
      if (m.bloom_filter_offset) out << " bloom " << m.bloom_filter_length.value_or(0) << "B";
      if (rg.columns[c].column_index_offset) out << " column_index";
      if (rg.columns[c].offset_index_offset) out << " offset_index";
      out << "\n";
    }
  }
  return Status::Ok();
}

Status CatParquet(const std::string& path, std::ostream& out, const CatOptions& options) {
  FLOE_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenFile(path));
  FLOE_RETURN_IF_ERROR(reader->Project(options.columns));
  FLOE_ASSIGN_OR_RETURN(auto groups, reader->SelectRowGroups(options.where));
  uint64_t printed = 0;
  columnar::ColumnarBatch batch;
  for (size_t g : groups) {
    if (printed >= options.limit) break;
    FLOE_RETURN_IF_ERROR(reader->ReadRowGroup(g, &batch));
    RowAssembler rows(batch);
    nlohmann::ordered_json row;
    while (printed < options.limit) {
      FLOE_ASSIGN_OR_RETURN(bool more, rows.Next(&row));
      if (!more) break;
      out << row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
      ++printed;
    }
  }
  return Status::Ok();
}

}  // namespace floe::parquet
