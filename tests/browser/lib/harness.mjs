// lib/harness.mjs — node:test glue. In a test file:
//
//   import { describe, it } from 'node:test';
//   import { useSuite } from '../lib/harness.mjs';
//   const s = useSuite();                       // a Corral + a Chromium for this file
//   it('…', async () => { const page = await s.page({ javaScriptEnabled: false }); … });
//
// run.mjs starts one Corral for the whole run and passes it down (CORRAL_TEST_BASE,
// CORRAL_TEST_DATABASE); a file run on its own (`node --test tests/x.test.mjs`) starts its
// own. Every page a test opens is checked after the test for CSP violations and script
// errors, then closed.
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';

import { launch, newPage, pageProblems } from './browser.mjs';
import { Corral } from './corral.mjs';

export function useSuite({ name = 'browser' } = {}) {
  const s = {
    corral: null,
    browser: null,
    opened: [],

    /** A fresh context and page (options: javaScriptEnabled, colorScheme, viewport …). */
    async page(options = {}) {
      const page = await newPage(s.browser, { baseURL: s.corral.base, ...options });
      s.opened.push(page);
      return page;
    },

    /** A page whose context is signed in as account ({cookie} from corral.register/signIn). */
    async pageAs(account, options = {}) {
      const page = await s.page(options);
      const [cname, cvalue] = account.cookie.split('=');
      await page.context().addCookies([{ name: cname, value: cvalue, url: s.corral.base }]);
      return page;
    },

    /** Problems seen on the pages of the current test (CSP violations, script errors). */
    problems() {
      const all = { csp: [], errors: [] };
      for (const p of s.opened) {
        all.csp.push(...pageProblems(p).csp);
        all.errors.push(...pageProblems(p).errors);
      }
      return all;
    },
  };

  before(async () => {
    s.corral = process.env.CORRAL_TEST_BASE
      ? Corral.attach({ base: process.env.CORRAL_TEST_BASE, dbUrl: process.env.CORRAL_TEST_DATABASE })
      : await Corral.start({ name });
    s.browser = await launch();
  });

  afterEach(async () => {
    const { csp, errors } = s.problems();
    const pages = s.opened;
    s.opened = [];
    await Promise.all(pages.map((p) => p.context().close().catch(() => {})));
    assert.deepEqual(csp, [], 'Content-Security-Policy violations');
    assert.deepEqual(errors, [], 'uncaught script errors');
  });

  after(async () => {
    if (s.browser) await s.browser.close();
    if (s.corral) {
      const code = await s.corral.stop();
      assert.equal(code, 0, 'corral serve exits 0 on SIGTERM');
    }
  });

  return s;
}

/** Both ways every flow must work: with JavaScript and as plain forms without it. */
export const JS_MODES = [
  { label: 'with JavaScript', javaScriptEnabled: true },
  { label: 'without JavaScript', javaScriptEnabled: false },
];

/** Options for every test: a generous timeout, since a loaded machine can be slow. */
export const TEST = { timeout: 120_000 };
