// Reads an Avro object container file with avsc (an independent JavaScript implementation) and prints
// {"codec", "records"} as JSON, bytes as {"$bytes": hex} like avro_fixtures.py read-ocf.
// snappy and zstandard blocks are decompressed with hyparquet-compressors (hysnappy, fzstd); the snappy
// block's CRC-32 trailer is checked with zlib.
//   node avsc_read_ocf.mjs TOOLS_DIR FILE
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';

const [toolsArg, file] = process.argv.slice(2);
const toolsDir = path.resolve(toolsArg);
const require = createRequire(path.join(toolsDir, 'package.json'));
const avsc = require('avsc');
const { decompressSnappy, decompressZstd } = await import(
  path.join(toolsDir, 'node_modules/hyparquet-compressors/src/index.js'));

function snappyLength(buf) {
  let n = 0, shift = 0, i = 0;
  for (;;) {
    const b = buf[i++];
    n += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return n;
    shift += 7;
  }
}

const codecs = {
  null: (buf, cb) => cb(null, buf),
  deflate: (buf, cb) => zlib.inflateRaw(buf, cb),
  snappy: (buf, cb) => {
    const body = buf.subarray(0, buf.length - 4);
    const out = Buffer.from(decompressSnappy(body, snappyLength(body)));
    if (zlib.crc32 && zlib.crc32(out) !== buf.readUInt32BE(buf.length - 4)) return cb(new Error('snappy crc'));
    cb(null, out);
  },
  zstandard: (buf, cb) => cb(null, Buffer.from(decompressZstd(buf))),
};

function jsonable(v) {
  if (Buffer.isBuffer(v)) return { $bytes: v.toString('hex') };
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonable(x);
    return o;
  }
  return v;
}

const records = [];
let codec = null;
avsc.createFileDecoder(file, { codecs })
  .on('metadata', (type, c) => { codec = c; })
  .on('data', (r) => records.push(jsonable(r)))
  .on('error', (e) => { console.error(String(e)); process.exit(1); })
  .on('end', () => console.log(JSON.stringify({ codec, records })));
