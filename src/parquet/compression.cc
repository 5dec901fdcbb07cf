#include "parquet/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

#include "parquet/errors.h"

namespace floe::parquet {

namespace {

struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};

ZstdContexts& Zstd() {
  thread_local ZstdContexts ctx;
  return ctx;
}

Status GzipCompress(int level, const uint8_t* data, size_t size, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Error(ParquetError::kInvalidArgument, "gzip init failed");
  const size_t at = out->size();
  const uLong bound = deflateBound(&zs, static_cast<uLong>(size));
  out->resize(at + bound);
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + at);
  zs.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Error(ParquetError::kInvalidArgument, "gzip compression failed");
  out->resize(at + produced);
  return Status::Ok();
}

Status GzipDecompress(const uint8_t* data, size_t size, size_t expected, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Corrupt("gzip init failed");
  out->resize(expected);
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(expected);
  int rc = inflate(&zs, Z_FINISH);
  // Some writers concatenate gzip members; keep inflating while input and room remain.
  while (rc == Z_STREAM_END && zs.avail_in > 0 && zs.avail_out > 0) {
    if (inflateReset(&zs) != Z_OK) break;
    rc = inflate(&zs, Z_FINISH);
  }
  inflateEnd(&zs);
  if ((rc != Z_STREAM_END && rc != Z_BUF_ERROR) || zs.avail_out != 0)
    return Corrupt("gzip page does not decompress to its declared size");
  return Status::Ok();
}

}  // namespace

bool CodecSupported(format::Codec codec) {
  switch (codec) {
    case format::Codec::kUncompressed:
    case format::Codec::kSnappy:
    case format::Codec::kGzip:
    case format::Codec::kZstd:
    case format::Codec::kLz4Raw:
      return true;
    default:
      return false;
  }
}

Status Compress(format::Codec codec, int level, const uint8_t* data, size_t size, std::string* out) {
  const size_t at = out->size();
  switch (codec) {
    case format::Codec::kUncompressed:
      out->append(reinterpret_cast<const char*>(data), size);
      return Status::Ok();
    case format::Codec::kSnappy: {
      out->resize(at + snappy::MaxCompressedLength(size));
      size_t n = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(data), size, out->data() + at, &n);
      out->resize(at + n);
      return Status::Ok();
    }
    case format::Codec::kGzip:
      return GzipCompress(level <= 0 ? 6 : std::min(level, 9), data, size, out);
    case format::Codec::kZstd: {
      const size_t bound = ZSTD_compressBound(size);
      out->resize(at + bound);
      const size_t n = ZSTD_compressCCtx(Zstd().c, out->data() + at, bound, data, size, level);
      if (ZSTD_isError(n)) return Error(ParquetError::kInvalidArgument, ZSTD_getErrorName(n));
      out->resize(at + n);
      return Status::Ok();
    }
    case format::Codec::kLz4Raw: {
      if (size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return Error(ParquetError::kInvalidArgument, "page too big for lz4");
      const int bound = LZ4_compressBound(static_cast<int>(size));
      out->resize(at + static_cast<size_t>(bound));
      const int n = LZ4_compress_default(reinterpret_cast<const char*>(data), out->data() + at,
                                         static_cast<int>(size), bound);
      if (n <= 0) return Error(ParquetError::kInvalidArgument, "lz4 compression failed");
      out->resize(at + static_cast<size_t>(n));
      return Status::Ok();
    }
    default:
      return Error(ParquetError::kUnsupported, std::string("codec ") + format::CodecName(codec));
  }
}

bool AppendStored(format::Codec codec, const uint8_t* data, size_t size, std::string* out) {
  if (codec != format::Codec::kZstd || size > UINT32_MAX) return false;
  // Frame header: magic, then a descriptor with Single_Segment (no window descriptor: the window is the
  // content) and a 4-byte Frame_Content_Size, which decoders check against the page's declared size.
  constexpr uint32_t kMagic = 0xFD2FB528;
  constexpr uint8_t kDescriptor = (2 << 6) | (1 << 5);
  constexpr size_t kMaxBlock = 128 << 10;  // Block_Maximum_Size
  const auto put_le = [out](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  out->reserve(out->size() + 9 + size + 3 * (size / kMaxBlock + 1));
  put_le(kMagic, 4);
  out->push_back(static_cast<char>(kDescriptor));
  put_le(size, 4);
  size_t at = 0;
  do {
    const size_t n = std::min(kMaxBlock, size - at);
    const bool last = at + n == size;
    put_le((static_cast<uint64_t>(n) << 3) | (0 << 1) | (last ? 1 : 0), 3);  // Block_Type 0: Raw_Block
    out->append(reinterpret_cast<const char*>(data) + at, n);
    at += n;
  } while (at < size);
  return true;
}

Status Decompress(format::Codec codec, const uint8_t* data, size_t size, size_t uncompressed_size,
                  std::string* out) {
  switch (codec) {
    case format::Codec::kUncompressed:
      if (size != uncompressed_size) return Corrupt("uncompressed page sizes disagree");
      out->assign(reinterpret_cast<const char*>(data), size);
      return Status::Ok();
    case format::Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(data), size, &n) || n != uncompressed_size)
        return Corrupt("snappy page does not decompress to its declared size");
      out->resize(n);
      if (!snappy::RawUncompress(reinterpret_cast<const char*>(data), size, out->data()))
        return Corrupt("bad snappy data");
      return Status::Ok();
    }
    case format::Codec::kGzip:
      return GzipDecompress(data, size, uncompressed_size, out);
    case format::Codec::kZstd: {
      const unsigned long long claimed = ZSTD_getFrameContentSize(data, size);
      if (claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed != uncompressed_size)
        return Corrupt("zstd page does not decompress to its declared size");
      out->resize(uncompressed_size);
      const size_t n = ZSTD_decompressDCtx(Zstd().d, out->data(), uncompressed_size, data, size);
      if (ZSTD_isError(n) || n != uncompressed_size) return Corrupt("bad zstd data");
      return Status::Ok();
    }
    case format::Codec::kLz4Raw: {
      if (uncompressed_size > static_cast<size_t>(INT32_MAX) || size > static_cast<size_t>(INT32_MAX))
        return Corrupt("lz4 page too large");
      out->resize(uncompressed_size);
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data), out->data(), static_cast<int>(size),
                                        static_cast<int>(uncompressed_size));
      if (n < 0 || static_cast<size_t>(n) != uncompressed_size) return Corrupt("bad lz4 data");
      return Status::Ok();
    }
    default:
      return Error(ParquetError::kUnsupported, std::string("codec ") + format::CodecName(codec));
  }
}

}  // namespace floe::parquet
