// A thin C interface over avro-c's generic value reader for the benchmark. It lives in its own translation
// unit because avro-c's headers include <avro/schema.h>, which floe's include path (src/) would shadow.
#pragma once

#include <cstdint>

struct AvroCPeer;

// nullptr (and a message in *error) when the schema does not parse.
AvroCPeer* AvroCPeerOpen(const char* schema_json, const char** error);
// Reads one datum into the reused generic value; returns 0 on success and the long field at `field_index`
// in *out (so the read cannot be optimised away).
int AvroCPeerRead(AvroCPeer* peer, const char* data, int64_t size, int field_index, int64_t* out);
const char* AvroCPeerError();
void AvroCPeerClose(AvroCPeer* peer);
