// Starts s3rver on a loopback port for floe's tests: node s3rver_main.js DIR BUCKET [LOGFILE]
// Prints "listening <port>" once ready; exits when stdin closes (the test process died or is done).
// With LOGFILE (the crash harness), one line per request tells where the store's time goes: kind TAB HTTP
// status TAB ms, where kind is the request's method and what it touches (state object, data file, state
// listing, ...), or "connection" for a TCP connection accepted.
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { Transform } = require('stream');
const { pipeline } = require('stream/promises');

// s3rver writes an object in place as its body arrives, so a PUT cut short (a worker SIGKILLed mid-upload, a
// connection the fault proxy drops) leaves a truncated object that LIST, HEAD and GET then serve as if it were
// whole. S3 never makes an incomplete PUT visible, and floe's protocol relies on that contract (a listed file
// that HEAD finds was published whole: docs/EXACTLY_ONCE.md step 1). This s3rver therefore writes each object
// to a temporary name and renames it into place once the whole declared body has arrived. (Seen in the crash
// harness at full size: a data file of a few bytes in the lake after a kill during concurrent publishing.)
FilesystemStore.prototype.putObject = async function putObjectWhole(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  const partial = `${objectPath}.partial-${crypto.randomBytes(8).toString('hex')}`;  // not an object name: never listed
  const md5 = crypto.createHash('md5');
  let size = 0;
  try {
    const count = new Transform({
      transform(chunk, encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? [object.content] : object.content;
    await pipeline(source, count, fs.createWriteStream(partial));
    // Only a request body has a declared length (a completed multipart upload's parts are whole already).
    const declared = object.content instanceof http.IncomingMessage ? Number(object.metadata['content-length']) : NaN;
    if (Number.isFinite(declared) && declared !== size) throw new Error(`body of ${size} bytes, ${declared} declared`);
    await fs.promises.rename(partial, objectPath);
  } catch (err) {
    await fs.promises.rm(partial, { force: true });
    throw err;
  }
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

const [dir, bucket, logFile] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  configureBuckets: [{ name: bucket }],
});

function kindOf(ctx) {
  const query = decodeURIComponent(ctx.querystring);
  const path = decodeURIComponent(ctx.path);
  if (query.includes('list-type=2')) return `LIST ${query.includes('_floe/state/') ? 'state' : 'data'}`;
  if (/(^|&)uploads/.test(query)) return `${ctx.method} uploads`;
  if (/(^|&)delete/.test(query)) return 'DELETE many';
  if (query.includes('uploadId') || query.includes('partNumber')) return `${ctx.method} multipart`;
  return `${ctx.method} ${path.includes('/_floe/state/') ? 'state' : 'data'}`;
}

const log = logFile ? fs.openSync(logFile, 'a') : null;
// First in the chain, so the time covers s3rver's whole handling of the request.
if (log !== null) server.middleware.unshift(async (ctx, next) => {
  const start = process.hrtime.bigint();
  try {
    await next();
  } finally {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    fs.writeSync(log, `${kindOf(ctx)}\t${ctx.status}\t${ms.toFixed(2)}\n`);
  }
});
server.run().then(
  (addr) => {
    // Connections opened, to tell how well clients reuse them.
    if (log !== null) server.httpServer.on('connection', () => fs.writeSync(log, 'connection\t0\t0\n'));
    process.stdout.write(`listening ${addr.port}\n`);
  },
  (err) => {
    process.stderr.write(`s3rver failed: ${err}\n`);
    process.exit(1);
  },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
