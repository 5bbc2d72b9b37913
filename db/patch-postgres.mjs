// Postinstall: guards postgres.js 3.4.x against writing to a socket that already closed.
//
// Why: when a backend dies under a transaction (pg_terminate_backend, a restart, a proxy cut), `closed()` sets the
// connection's socket to null and rejects the running query; `sql.begin()` then sends its own ROLLBACK on that
// connection. A write under 1 KiB is deferred to `setImmediate(nextWrite)`, which calls `socket.write` on null: an
// uncaught TypeError that kills the process (porsager/postgres issues 1066, 1154, 1208; fix proposed in PR 1209, not
// released in 3.4.10). The guard settles the pending queries with CONNECTION_CLOSED instead, so the caller gets a
// catchable error and the pool reconnects.
// Second guard: `closed()` cancels a deferred write but leaves its timer id and buffered bytes behind. On reconnect the
// start-up message is appended to those stale bytes and never scheduled (the timer id looks pending), so the new
// connection sits silent until CONNECT_TIMEOUT (30 s by default): the requests that "hung 30 s after the database
// came back". The patch drops the moot bytes when the socket closes.
// Third guard: a backend terminated during a query sends its error (57P01) and closes before ReadyForQuery; the
// query gets CONNECTION_CLOSED but the connection keeps that error, and the first ReadyForQuery of the reconnected
// socket hands it to the next query: a booking seconds after the database came back failed with a stale
// "terminating connection due to administrator command". The patch forgets it when the socket closes.
// Fourth change (speed, not a guard): postgres.js gathers the messages of queries issued in the same tick into one
// socket write, but writes at once as soon as 1 KiB is gathered. A booking's pipelined batch of statements is a few
// KiB, so it went out in 2-3 writes, each a system call that also runs the loopback receive path: socket writes were
// a fifth of the server's CPU under booking load. The patch gathers up to 64 KiB; the batch leaves in one write at the
// end of the tick, as small queries always did.
// Fifth change (speed): `sql.begin()` waited for BEGIN's answer before sending the transaction's first statement: a
// round trip and a socket write of its own for every transaction (a quarter of a booking's writes). BEGIN now goes
// out with the first statements, on the connection it reserves. Postgres runs them in order, so they are inside the
// transaction; BEGIN fails only with its connection, which fails the statements behind it too.
// Sixth guard: a socket that fails emits 'error', then 'close' (hadError) on a later turn. postgres.js rejects what
// is in flight on 'error', and on 'close' only when there was no error. A query handed to the connection between the
// two (the pool still lists it as open) was never settled: it waited until the connection object was reused and
// failed again, seconds or minutes later. The job worker's bookkeeping hung that way after a database cut (the
// intermittent failure of database-faults.test.ts), holding a worker slot. 'close' now settles whatever is still in
// flight, error or not (settling twice is a no-op), and forgets it.
// Idempotent; the file is replaced (not rewritten in place) so a hard-linked node_modules shared with other checkouts
// is left untouched.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const MARKER = "/* thotis: closed-socket guard */";
const ORIGINAL = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)";
const PATCHED =
  "  function nextWrite(fn) {\n" +
  `    ${MARKER}\n` +
  "    if (!socket) {\n" +
  "      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n" +
  "      chunk = nextWriteTimer = null\n" +
  "      error(Errors.connection('CONNECTION_CLOSED', options))\n" +
  "      return false\n" +
  "    }\n" +
  "    const x = socket.write(chunk, fn)";

const CLOSED_ORIGINAL = "  async function closed(hadError) {\n    incoming = Buffer.alloc(0)\n    remaining = 0\n    incomings = null\n    clearImmediate(nextWriteTimer)\n";
const CLOSED_MARKER = "/* thotis: drop writes of a closed socket */";
const CLOSED_PATCHED = CLOSED_ORIGINAL + `    chunk = nextWriteTimer = null ${CLOSED_MARKER}\n`;

const STALE_MARKER = "/* thotis: no stale error across reconnects */";
const STALE_PATCHED = CLOSED_PATCHED + `    errorResponse = null ${STALE_MARKER}\n`;

const BATCH_MARKER = "/* thotis: one write per tick up to 64 KiB */";
const BATCH_ORIGINAL = "    if (fn || chunk.length >= 1024)\n";
const BATCH_PATCHED = `    if (fn || chunk.length >= 65536) ${BATCH_MARKER}\n`;

const BEGIN_MARKER = "/* thotis: BEGIN pipelined with the first statements */";
const BEGIN_ORIGINAL =
  "      await sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute }).execute()\n" +
  "      return await Promise.race([\n" +
  "        scope(connection, fn),\n" +
  "        new Promise((_, reject) => connection.onclose = reject)\n" +
  "      ])\n";
const BEGIN_PATCHED =
  `      ${BEGIN_MARKER}\n` +
  "      let assigned\n" +
  "      const assignment = new Promise(resolve => assigned = resolve)\n" +
  "      const started = sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute: c => (onexecute(c), assigned()) }).execute()\n" +
  "      started.catch(() => { /* settled below */ })\n" +
  "      connection || await Promise.race([assignment, started])\n" +
  "      // The pool marked the connection full behind BEGIN; reserved, it takes the transaction's statements at once.\n" +
  "      connection.queue === full && move(connection, reserved)\n" +
  "      const body = scope(connection, fn)\n" +
  "      body.catch(() => { /* settled below */ })\n" +
  "      return await Promise.race([\n" +
  "        started.then(() => body),\n" +
  "        new Promise((_, reject) => connection.onclose = reject)\n" +
  "      ])\n";

const SETTLE_MARKER = "/* thotis: a close settles what is in flight, error or not */";
const SETTLE_ORIGINAL = "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n";
const SETTLE_PATCHED =
  `    ${SETTLE_MARKER}\n` +
  "    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n" +
  "    query = null\n";

const PATCHES = {
  "connection.js": [
    [MARKER, ORIGINAL, PATCHED],
    [CLOSED_MARKER, CLOSED_ORIGINAL, CLOSED_PATCHED],
    [STALE_MARKER, CLOSED_PATCHED, STALE_PATCHED],
    [BATCH_MARKER, BATCH_ORIGINAL, BATCH_PATCHED],
    [SETTLE_MARKER, SETTLE_ORIGINAL, SETTLE_PATCHED],
  ],
  "index.js": [[BEGIN_MARKER, BEGIN_ORIGINAL, BEGIN_PATCHED]],
};

/** The markers each patched file of the package (by name: `src/` and `cjs/src/` alike) must carry. */
export const MARKERS = Object.fromEntries(Object.entries(PATCHES).map(([file, patches]) => [file, patches.map(([marker]) => marker)]));

export function patchPostgres(root = process.cwd()) {
  const packageDir = join(root, "node_modules", "postgres");
  if (!existsSync(packageDir)) return { patched: [], skipped: "postgres is not installed" };
  const patched = [];
  for (const file of ["src/connection.js", "cjs/src/connection.js", "src/index.js", "cjs/src/index.js"]) {
    const path = join(packageDir, file);
    if (!existsSync(path)) continue;
    let text = readFileSync(path, "utf8");
    const before = text;
    for (const [marker, original, replacement] of PATCHES[file.split("/").pop()]) {
      if (text.includes(marker)) continue;
      if (!text.includes(original)) throw new Error(`postgres.js changed: ${file} does not have the code to guard; review db/patch-postgres.mjs`);
      text = text.replace(original, replacement);
    }
    if (text === before) continue;
    const tmp = `${path}.thotis-tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    patched.push(file);
  }
  return { patched };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = patchPostgres();
  if (result.patched.length) console.log(`postgres.js: closed-socket guards, write batching and pipelined BEGIN applied to ${result.patched.join(", ")}`);
}
