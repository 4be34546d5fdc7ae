#!/usr/bin/env node
// run.mjs — the browser suite: starts one throwaway Corral (own PostgreSQL cluster), runs
// every tests/*.test.mjs against it with node's test runner in Debian's Chromium, stops it.
//
//   node run.mjs [--junit FILE] [test files…]
//
// Progress goes to stdout (spec reporter); --junit writes a JUnit report for script/tally.
// Exit status: non-zero when a test failed or Corral did not stop cleanly.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch, newPage, renderedFont } from './lib/browser.mjs';
import { Corral } from './lib/corral.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let junit = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--junit') junit = path.resolve(args[++i]);
  else files.push(path.resolve(args[i]));
}
if (files.length === 0) {
  const dir = path.join(here, 'tests');
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.test.mjs')) files.push(path.join(dir, f));
}

const started = Date.now();
let corral;
try {
  corral = await Corral.start({ name: 'browser' });
} catch (err) {
  console.error(`browser suite: could not start Corral: ${err.message}`);
  process.exit(2);
}
console.log(`browser suite: Corral at ${corral.base}, ${files.length} test files`);
console.log(`browser suite: ${await fontReport(corral.base)}`);

const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
if (junit) reporters.push(`--test-reporter=${path.join(here, 'lib', 'junit.mjs')}`, `--test-reporter-destination=${junit}`);

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...reporters, ...files], {
  cwd: here,
  stdio: 'inherit',
  env: { ...process.env, CORRAL_TEST_BASE: corral.base, CORRAL_TEST_DATABASE: corral.dbUrl },
});
const stopOnSignal = (sig) => child.kill(sig);
process.on('SIGINT', stopOnSignal);
process.on('SIGTERM', stopOnSignal);
const status = await new Promise((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 1 : 0))));

let code;
try {
  code = await corral.stop();
} catch (err) {
  code = `error: ${err.message}`;
}
if (code !== 0) {
  console.error(`browser suite: corral serve exited ${code} on SIGTERM; its log:\n${corral.log()}`);
}
if (junit) addShutdownCase(junit, code);
console.log(`browser suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(status !== 0 || code !== 0 ? 1 : 0);

/** Count the server's clean exit as one more test case of the JUnit report. */
function addShutdownCase(file, exitCode) {
  let xml;
  try {
    xml = fs.readFileSync(file, 'utf8');
  } catch {
    return; // no report: script/test counts the run as crashed
  }
  const ok = exitCode === 0;
  const esc = (v) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const tc = ok
    ? '    <testcase classname="run.mjs" name="corral serve exits 0 on SIGTERM" time="0"/>\n'
    : `    <testcase classname="run.mjs" name="corral serve exits 0 on SIGTERM" time="0">\n      <failure message="exit ${esc(exitCode)}">${esc(corral.log().slice(-4000))}</failure>\n    </testcase>\n`;
  xml = xml
    .replace(/(<testsuite name="browser" tests=")(\d+)(" failures=")(\d+)/,
      (_, a, t, b, f) => `${a}${Number(t) + 1}${b}${Number(f) + (ok ? 0 : 1)}`)
    .replace('  </testsuite>', `${tc}  </testsuite>`);
  fs.writeFileSync(file, xml);
}

/** Which font the pages are drawn in here (the first of Corral's font stack the machine has,
 * or CORRAL_TEST_FONT when set): the same pages measure differently in another font. */
async function fontReport(base) {
  let browser;
  try {
    browser = await launch();
    const page = await newPage(browser, { baseURL: base });
    await page.goto('/');
    const family = await renderedFont(page);
    const forced = process.env.CORRAL_TEST_FONT ? ' (forced by CORRAL_TEST_FONT)' : '';
    return `pages are drawn in ${family ?? 'an unknown font'}${forced}`;
  } catch (err) {
    return `could not tell the font pages are drawn in: ${err.message}`;
  } finally {
    await browser?.close();
  }
}
