// Starts s3rver on a loopback port for floe's storage tests: node s3rver_main.js DIR BUCKET
// Prints "listening <port>" once ready; exits when stdin closes (the test process died or is done).
const S3rver = require('s3rver');

const [dir, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  (addr) => process.stdout.write(`listening ${addr.port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed: ${err}\n`);
    process.exit(1);
  },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
