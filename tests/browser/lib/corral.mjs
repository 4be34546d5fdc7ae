// lib/corral.mjs — a throwaway Corral for the browser suite: its own PostgreSQL cluster
// (`corral cluster start`), one `corral serve` on a free 127.0.0.1 port, and the command
// line for what only the CLI does (admins). Nothing here talks to anything but 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');
export const CORRAL_BIN = process.env.CORRAL_BIN || path.join(ROOT, 'build', 'server', 'corral');
export const PASSWORD = 'correct horse battery staple';

// Clusters run as the postgres user when we are root, so their folder must be reachable by
// it: under /tmp, world-searchable. script/test hands us CORRAL_TEST_TMP.
export function tmpBase() {
  let base = process.env.CORRAL_TEST_TMP;
  if (!base) {
    base = fs.mkdtempSync(path.join('/tmp', 'corral-browser-'));
    process.env.CORRAL_TEST_TMP = base;
  }
  fs.mkdirSync(base, { recursive: true });
  fs.chmodSync(base, 0o755);
  return base;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run `corral ARGS…` to completion; returns {status, stdout, stderr}. */
export function cli(args, { input } = {}) {
  const r = spawnSync(CORRAL_BIN, args, { input, encoding: 'utf8', timeout: 180_000 });
  if (r.error) throw r.error;
  return r;
}

export class Corral {
  /** Start a cluster named `name` under tmpBase() and a server on it. */
  static async start({ name = 'browser', extraArgs = [] } = {}) {
    const c = new Corral();
    c.dataDir = path.join(tmpBase(), `${name}-${process.pid}`);
    const out = cli(['cluster', 'start', '--data-dir', c.dataDir]);
    if (out.status !== 0) throw new Error(`corral cluster start failed:\n${out.stderr}`);
    c.dbUrl = out.stdout.trim();
    c.port = await freePort();
    c.base = `http://127.0.0.1:${c.port}`;
    c.logPath = path.join(tmpBase(), `${name}-serve-${c.port}.log`);
    const log = fs.openSync(c.logPath, 'w');
    c.proc = spawn(CORRAL_BIN, [
      'serve', '--database', c.dbUrl, '--listen', `127.0.0.1:${c.port}`, '--quiet',
      '--register-limit-ip', '100000', '--signin-limit-ip', '100000',
      // OWASP's minimum argon2id memory: the suite signs in many accounts on two cores.
      '--hash-memory', '19',
      // Survey results by role for a couple of people (tests/http checks the threshold).
      '--survey-min-group', '1', ...extraArgs,
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    c.exited = new Promise((resolve) => c.proc.on('exit', (code, sig) => resolve({ code, sig })));
    try {
      await c.waitReady();
    } catch (err) {
      await c.stop().catch(() => {}); // leave no server or cluster behind
      throw err;
    }
    return c;
  }

  /** Attach to a server someone else started (run.mjs passes it down in the environment). */
  static attach({ base, dbUrl }) {
    const c = new Corral();
    c.base = base;
    c.dbUrl = dbUrl;
    c.attached = true;
    return c;
  }

  async waitReady(timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    let exited = null;
    this.exited.then((e) => { exited = e; });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`corral serve exited (${JSON.stringify(exited)}):\n${this.log()}`);
      try {
        const r = await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error(`corral serve did not become ready:\n${this.log()}`);
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }

  url(p) {
    return this.base + p;
  }

  /** Stop the server (SIGTERM, exit 0 expected) and its cluster. Returns the exit code. */
  async stop() {
    if (this.attached) return 0;
    let code = 0;
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
      ({ code } = await this.exited);
      clearTimeout(timer);
    }
    // The binary may be mid-rebuild (EACCES, ETXTBSY): try again before giving up; the
    // caller's clean-up (script/test) stops leftover clusters in any case.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        cli(['cluster', 'stop', '--data-dir', this.dataDir]);
        break;
      } catch (err) {
        if (attempt === 4) console.error(`corral cluster stop: ${err.message}`);
      }
      await sleep(1000);
    }
    return code;
  }

  /** An account made through the command line (how the first admin is made). */
  addUser(name, { role = 'member', communityRole = 'practitioner', password = PASSWORD } = {}) {
    const out = cli(['user', 'add', name, '--role', role, '--community-role', communityRole,
      '--database', this.dbUrl], { input: `${password}\n` });
    if (out.status !== 0) throw new Error(`corral user add ${name} failed:\n${out.stderr}`);
    return { username: name, password, role, communityRole };
  }

  setRole(name, role) {
    const out = cli(['user', 'set-role', name, role, '--database', this.dbUrl]);
    if (out.status !== 0) throw new Error(`corral user set-role ${name} failed:\n${out.stderr}`);
  }

  /** JSON API call without a browser; returns {status, body, cookie}. */
  async api(method, p, body, { cookie, csrf, token } = {}) {
    const headers = { 'Content-Type': 'application/json' };
    if (cookie) headers.Cookie = cookie;
    if (csrf) headers['X-CSRF-Token'] = csrf;
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(this.url(p), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual',
    });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    // the session cookie among those set: a write sets corral_w (read-your-writes) as well
    const set = r.headers.getSetCookie().map((c) => c.split(';')[0]);
    const session = set.find((c) => c.startsWith('corral_session=')) || set[0];
    return { status: r.status, body: json, cookie: session || cookie };
  }

  /** Register through the API; returns {username, password, cookie, csrf, user}. */
  async register({ username = unique(), password = PASSWORD, communityRole = 'practitioner' } = {}) {
    const r = await this.api('POST', '/api/v1/users', { username, password, community_role: communityRole });
    if (r.status !== 201) throw new Error(`register ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return { username, password, cookie: r.cookie, csrf: r.body.csrf_token, user: r.body.user };
  }

  /** Sign in through the API; returns {cookie, csrf, user}. */
  async signIn(username, password = PASSWORD) {
    const r = await this.api('POST', '/api/v1/session', { username, password });
    if (r.status !== 200) throw new Error(`sign in ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return { username, password, cookie: r.cookie, csrf: r.body.csrf_token, user: r.body.user };
  }
}

let counter = 0;
/** A username no other test uses: prefix + pid + counter + random, within 32 characters. */
export function unique(prefix = 'u') {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`.slice(0, 32);
}

