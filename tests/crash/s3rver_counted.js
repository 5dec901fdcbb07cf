// s3rver for the crash harness, logging one line per request so the harness can report where the store's
// time goes: node s3rver_counted.js DIR BUCKET LOGFILE
// Prints "listening <port>" once ready; exits when stdin closes. Log lines: kind TAB HTTP status TAB ms, where
// kind is the request's method and what it touches (state object, data file, state listing, ...), or
// "connection" for a TCP connection accepted.
const S3rver = require('s3rver');
const fs = require('fs');

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

const log = fs.openSync(logFile, 'a');
// First in the chain, so the time covers s3rver's whole handling of the request.
server.middleware.unshift(async (ctx, next) => {
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
    server.httpServer.on('connection', () => fs.writeSync(log, 'connection\t0\t0\n'));
    process.stdout.write(`listening ${addr.port}\n`);
  },
  (err) => {
    process.stderr.write(`s3rver failed: ${err}\n`);
    process.exit(1);
  },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
