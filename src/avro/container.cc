#include "avro/container.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "avro/binary.h"

namespace floe::avro {

namespace {

constexpr std::string_view kMagic("Obj\x01", 4);

Status Bad(const std::string& what) { return Error(AvroError::kBadContainer, what); }
Status CodecError(const std::string& what) { return Error(AvroError::kCodec, what); }

Status Compress(OcfCodec codec, int level, const std::string& in, std::string& out) {
  out.clear();
  switch (codec) {
    case OcfCodec::kNull: out = in; return Status::Ok();
    case OcfCodec::kDeflate: {
      z_stream z{};
      if (deflateInit2(&z, level < 0 ? 6 : level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return CodecError("deflateInit2 failed");
      out.resize(deflateBound(&z, in.size()));
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      const int rc = deflate(&z, Z_FINISH);
      out.resize(z.total_out);
      deflateEnd(&z);
      if (rc != Z_STREAM_END) return CodecError("deflate failed");
      return Status::Ok();
    }
    case OcfCodec::kSnappy: {
      out.resize(snappy::MaxCompressedLength(in.size()) + 4);
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out.data(), &n);
      const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(in.data()),
                                                       static_cast<uInt>(in.size())));
      out[n] = static_cast<char>(crc >> 24);
      out[n + 1] = static_cast<char>(crc >> 16);
      out[n + 2] = static_cast<char>(crc >> 8);
      out[n + 3] = static_cast<char>(crc);
      out.resize(n + 4);
      return Status::Ok();
    }
    case OcfCodec::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level < 0 ? 3 : level);
      if (ZSTD_isError(n)) return CodecError(std::string("zstd: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return Status::Ok();
    }
  }
  return CodecError("unknown codec");
}

Status Decompress(OcfCodec codec, std::string_view in, size_t max_bytes, std::string& out) {
  out.clear();
  switch (codec) {
    case OcfCodec::kNull: out.assign(in); return Status::Ok();
    case OcfCodec::kDeflate: {
      z_stream z{};
      if (inflateInit2(&z, -15) != Z_OK) return CodecError("inflateInit2 failed");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      int rc = Z_OK;
      while (rc != Z_STREAM_END) {
        if (out.size() >= max_bytes) {
          inflateEnd(&z);
          return CodecError("deflate block larger than " + std::to_string(max_bytes) + " bytes");
        }
        const size_t at = out.size();
        out.resize(std::min(max_bytes, std::max<size_t>(at * 2, in.size() * 4 + 1024)));
        z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
        z.avail_out = static_cast<uInt>(out.size() - at);
        rc = inflate(&z, Z_NO_FLUSH);
        out.resize(out.size() - z.avail_out);
        if (rc != Z_OK && rc != Z_STREAM_END) {
          inflateEnd(&z);
          return CodecError("corrupt deflate block");
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
          inflateEnd(&z);
          return CodecError("truncated deflate block");
        }
      }
      inflateEnd(&z);
      return Status::Ok();
    }
    case OcfCodec::kSnappy: {
      if (in.size() < 4) return CodecError("snappy block without its CRC");
      const std::string_view body = in.substr(0, in.size() - 4);
      size_t n = 0;
      if (!snappy::GetUncompressedLength(body.data(), body.size(), &n)) return CodecError("corrupt snappy block");
      if (n > max_bytes) return CodecError("snappy block larger than " + std::to_string(max_bytes) + " bytes");
      out.resize(n);
      if (!snappy::RawUncompress(body.data(), body.size(), out.data())) return CodecError("corrupt snappy block");
      const auto* c = reinterpret_cast<const uint8_t*>(in.data() + body.size());
      const uint32_t want = uint32_t{c[0]} << 24 | uint32_t{c[1]} << 16 | uint32_t{c[2]} << 8 | c[3];
      const auto got = static_cast<uint32_t>(
          crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
      if (want != got) return CodecError("snappy block CRC mismatch");
      return Status::Ok();
    }
    case OcfCodec::kZstd: {
      ZSTD_DStream* d = ZSTD_createDStream();
      ZSTD_inBuffer src{in.data(), in.size(), 0};
      size_t rc = 1;
      while (rc != 0) {
        if (out.size() >= max_bytes) {
          ZSTD_freeDStream(d);
          return CodecError("zstd block larger than " + std::to_string(max_bytes) + " bytes");
        }
        const size_t at = out.size();
        out.resize(std::min(max_bytes, std::max<size_t>(at * 2, in.size() * 4 + 1024)));
        ZSTD_outBuffer dst{out.data(), out.size(), at};
        rc = ZSTD_decompressStream(d, &dst, &src);
        out.resize(dst.pos);
        if (ZSTD_isError(rc)) {
          ZSTD_freeDStream(d);
          return CodecError(std::string("zstd: ") + ZSTD_getErrorName(rc));
        }
        if (rc != 0 && src.pos == src.size && dst.pos < dst.size) {
          ZSTD_freeDStream(d);
          return CodecError("truncated zstd block");
        }
      }
      ZSTD_freeDStream(d);
      return Status::Ok();
    }
  }
  return CodecError("unknown codec");
}

}  // namespace

std::string_view OcfCodecName(OcfCodec codec) {
  switch (codec) {
    case OcfCodec::kNull: return "null";
    case OcfCodec::kDeflate: return "deflate";
    case OcfCodec::kSnappy: return "snappy";
    case OcfCodec::kZstd: return "zstandard";
  }
  return "null";
}

std::optional<OcfCodec> ParseOcfCodec(std::string_view name) {
  if (name == "null") return OcfCodec::kNull;
  if (name == "deflate") return OcfCodec::kDeflate;
  if (name == "snappy") return OcfCodec::kSnappy;
  if (name == "zstandard" || name == "zstd") return OcfCodec::kZstd;
  return std::nullopt;
}

Result<OcfWriter> OcfWriter::Open(ByteSink* sink, const Schema& schema, const OcfWriterOptions& options) {
  OcfWriter w;
  w.sink_ = sink;
  w.options_ = options;
  if (options.sync) {
    w.sync_ = *options.sync;
  } else {
    std::random_device rd;
    for (auto& b : w.sync_) b = static_cast<uint8_t>(rd());
  }
  std::map<std::string, std::string> meta = options.metadata;
  for (const auto& [k, v] : meta)
    if (k.rfind("avro.", 0) == 0) return Bad("metadata key '" + k + "' is reserved");
  meta["avro.schema"] = schema.ToJson();
  meta["avro.codec"] = std::string(OcfCodecName(options.codec));
  std::string h(kMagic);
  WriteLong(h, static_cast<int64_t>(meta.size()));
  for (const auto& [k, v] : meta) {
    WriteBytes(h, k);
    WriteBytes(h, v);
  }
  WriteLong(h, 0);
  h.append(reinterpret_cast<const char*>(w.sync_.data()), w.sync_.size());
  FLOE_RETURN_IF_ERROR(sink->Write(h));
  return w;
}

Status OcfWriter::Append(std::string_view datum) {
  block_.append(datum);
  ++block_count_;
  ++datums_;
  if (block_.size() >= options_.block_bytes) return Flush();
  return Status::Ok();
}

Status OcfWriter::Flush() {
  if (block_count_ == 0) return Status::Ok();
  FLOE_RETURN_IF_ERROR(Compress(options_.codec, options_.compression_level, block_, compressed_));
  header_.clear();
  WriteLong(header_, block_count_);
  WriteLong(header_, static_cast<int64_t>(compressed_.size()));
  FLOE_RETURN_IF_ERROR(sink_->Write(header_));
  FLOE_RETURN_IF_ERROR(sink_->Write(compressed_));
  FLOE_RETURN_IF_ERROR(sink_->Write(sync_.data(), sync_.size()));
  block_.clear();
  block_count_ = 0;
  return Status::Ok();
}

Result<OcfReader> OcfReader::Open(std::string_view file, size_t max_block_bytes) {
  OcfReader r;
  r.file_ = file;
  r.max_block_bytes_ = max_block_bytes;
  if (file.substr(0, 4) != kMagic) return Bad("not an Avro object container file (bad magic)");
  BinaryReader in(file.data(), file.size());
  in.p += 4;
  for (;;) {
    int64_t count, bytes;
    if (!in.ReadLong(count)) return Bad(std::string("header: ") + in.what);
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN || !in.ReadLong(bytes)) return Bad("header: bad metadata block");
      count = -count;
    }
    if (static_cast<uint64_t>(count) > in.remaining() / 2) return Bad("header: metadata count past end of file");
    for (int64_t i = 0; i < count; ++i) {
      std::string_view k, v;
      if (!in.ReadBytes(k) || !in.ReadBytes(v)) return Bad(std::string("header: ") + in.what);
      r.metadata_[std::string(k)] = std::string(v);
    }
  }
  const uint8_t* sync;
  if (!in.ReadFixed(16, sync)) return Bad("header: truncated sync marker");
  std::memcpy(r.sync_.data(), sync, 16);
  r.pos_ = in.offset();
  auto schema_it = r.metadata_.find("avro.schema");
  if (schema_it == r.metadata_.end()) return Bad("header has no avro.schema");
  auto schema = Schema::Parse(schema_it->second);
  if (!schema.ok()) return Bad("header schema: " + schema.status().message());
  r.schema_ = std::move(schema).value();
  auto codec_it = r.metadata_.find("avro.codec");
  if (codec_it != r.metadata_.end()) {
    auto codec = ParseOcfCodec(codec_it->second);
    if (!codec) return CodecError("unsupported codec '" + codec_it->second + "'");
    r.codec_ = *codec;
  }
  return r;
}

Result<bool> OcfReader::NextBlock(OcfBlock& block) {
  if (pos_ >= file_.size()) return false;
  BinaryReader in(file_.data() + pos_, file_.size() - pos_);
  int64_t count, size;
  if (!in.ReadLong(count) || !in.ReadLong(size)) return Bad("block header at byte " + std::to_string(pos_) + ": " + in.what);
  if (count < 0 || size < 0) return Bad("negative block count or size at byte " + std::to_string(pos_));
  if (static_cast<uint64_t>(size) > in.remaining() || in.remaining() - static_cast<size_t>(size) < 16)
    return Bad("block at byte " + std::to_string(pos_) + " runs past the end of the file");
  const std::string_view raw(reinterpret_cast<const char*>(in.p), static_cast<size_t>(size));
  if (std::memcmp(in.p + size, sync_.data(), 16) != 0)
    return Bad("sync marker mismatch after block at byte " + std::to_string(pos_));
  pos_ += in.offset() + static_cast<size_t>(size) + 16;
  if (codec_ == OcfCodec::kNull) {
    block.data = raw;
  } else {
    FLOE_RETURN_IF_ERROR(Decompress(codec_, raw, max_block_bytes_, buffer_));
    block.data = buffer_;
  }
  block.count = count;
  return true;
}

Result<bool> OcfReader::NextDatum(std::string_view& datum) {
  while (block_left_ == 0) {
    if (block_reader_.p != block_reader_.end) return Bad("block has bytes after its last datum");
    OcfBlock block;
    FLOE_ASSIGN_OR_RETURN(bool more, NextBlock(block));
    if (!more) return false;
    if (!skipper_) {
      FLOE_ASSIGN_OR_RETURN(DatumSkipper s, DatumSkipper::Compile(schema_));
      skipper_ = std::move(s);
      min_datum_bytes_ = MinEncodedSize(schema_.root());
    }
    // A hostile count cannot make us hand out more datums than the block can hold.
    const uint64_t limit = min_datum_bytes_ ? block.data.size() / min_datum_bytes_ : kMaxZeroWidthItems;
    if (static_cast<uint64_t>(block.count) > limit)
      return Bad("block claims " + std::to_string(block.count) + " datums in " + std::to_string(block.data.size()) +
                 " bytes");
    block_reader_ = BinaryReader(block.data.data(), block.data.size());
    block_left_ = block.count;
  }
  const uint8_t* start = block_reader_.p;
  if (!skipper_->Skip(block_reader_))
    return Error(block_reader_.error, std::string("datum in container block: ") + block_reader_.what);
  datum = std::string_view(reinterpret_cast<const char*>(start), static_cast<size_t>(block_reader_.p - start));
  --block_left_;
  return true;
}

}  // namespace floe::avro
