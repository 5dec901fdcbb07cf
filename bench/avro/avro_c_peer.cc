#include "avro_c_peer.h"

#include <cstring>

#include <avro.h>

struct AvroCPeer {
  avro_schema_t schema;
  avro_value_iface_t* iface;
  avro_value_t value;
  avro_reader_t reader;
};

AvroCPeer* AvroCPeerOpen(const char* schema_json, const char** error) {
  auto* p = new AvroCPeer;
  if (avro_schema_from_json_length(schema_json, std::strlen(schema_json), &p->schema) != 0) {
    *error = avro_strerror();
    delete p;
    return nullptr;
  }
  p->iface = avro_generic_class_from_schema(p->schema);
  avro_generic_value_new(p->iface, &p->value);
  static const char kEmpty[1] = {0};
  p->reader = avro_reader_memory(kEmpty, 0);
  return p;
}

int AvroCPeerRead(AvroCPeer* p, const char* data, int64_t size, int field_index, int64_t* out) {
  avro_reader_memory_set_source(p->reader, data, size);
  avro_value_reset(&p->value);
  if (avro_value_read(p->reader, &p->value) != 0) return 1;
  avro_value_t field;
  if (avro_value_get_by_index(&p->value, field_index, &field, nullptr) != 0) return 1;
  return avro_value_get_long(&field, out);
}

const char* AvroCPeerError() { return avro_strerror(); }

void AvroCPeerClose(AvroCPeer* p) {
  avro_reader_free(p->reader);
  avro_value_decref(&p->value);
  avro_value_iface_decref(p->iface);
  avro_schema_decref(p->schema);
  delete p;
}
