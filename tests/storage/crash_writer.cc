// Writes self-describing objects to a local store in an endless loop until killed. The crash test kills it
// with SIGKILL at random moments and then checks that every visible object is complete.
//
// Object layout: "FLOE" | payload length (8 bytes, little endian) | SHA-256 of payload (32) | payload.
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "storage/digest.h"
#include "storage/local_object_store.h"

using namespace floe::storage;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s ROOT SPOOL_DIR SEED\n", argv[0]);
    return 2;
  }
  auto store = LocalObjectStore::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const std::string spool = std::string(argv[2]) + "/spool-" + argv[3];
  std::mt19937_64 rng(std::stoull(argv[3]));
  for (uint64_t i = 0;; ++i) {
    const size_t size = rng() % (3u << 20);
    std::string payload(size, '\0');
    for (size_t j = 0; j < size; j += 8) {
      const uint64_t v = rng();
      std::memcpy(payload.data() + j, &v, std::min<size_t>(8, size - j));
    }
    std::string obj = "FLOE";
    for (int b = 0; b < 8; ++b) obj.push_back(static_cast<char>((static_cast<uint64_t>(size) >> (8 * b)) & 0xff));
    const Sha256Digest h = Sha256(payload);
    obj.append(reinterpret_cast<const char*>(h.data()), h.size());
    obj += payload;
    const std::string key = "t/p=" + std::to_string(rng() % 3) + "/obj-" + std::to_string(rng() % 8);
    floe::Status st;
    switch (i % 3) {
      case 0: st = (*store)->Put(key, obj); break;
      case 1:
      case 2: {
        // A new spool file each time, as the archiver makes: the last one may be the object PutFile linked.
        std::remove(spool.c_str());
        FILE* f = std::fopen(spool.c_str(), "wb");
        if (f == nullptr || std::fwrite(obj.data(), 1, obj.size(), f) != obj.size() || std::fclose(f) != 0) return 1;
        if (i % 3 == 1) {
          st = (*store)->PutFile(key, spool);
        } else {
          MultipartFileUpload how;
          how.part_size = 256 << 10;
          how.parallelism = 2;
          st = UploadFileMultipart(**store, key, spool, how);
        }
        break;
      }
    }
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
  }
}
