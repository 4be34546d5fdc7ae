// The design contract: fixtures/vocabulary.html holds every class corral.css styles (thread
// lists, voices, the reply tree, ideas, queues, charts) in the markup pages use. Served under
// Corral's origin with Corral's own Content-Security-Policy, it must pass axe in both themes,
// and the things that matter must hold: badges differ by shape, the tree indents up to a
// fixed depth (less on phones), post states are marked, nothing overflows a 360 px screen.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { audit } from '../lib/axe.mjs';
import { DESKTOP, PHONE, SMALL_PHONE } from '../lib/browser.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();
const here = path.dirname(fileURLToPath(import.meta.url));
const HTML = fs.readFileSync(path.join(here, '..', 'fixtures', 'vocabulary.html'), 'utf8');

async function vocabulary(options = {}) {
  const page = await s.page(options);
  const real = await fetch(s.corral.url('/'));
  const csp = real.headers.get('content-security-policy');
  const css = await (await fetch(s.corral.url('/static/corral.css'))).text();
  assert.ok(css.includes('.badge.kind-doer'), 'the served stylesheet is corral.css');
  await page.route(s.corral.url('/__vocabulary'), (route) => route.fulfill({
    status: 200, contentType: 'text/html; charset=utf-8', body: HTML,
    headers: { 'Content-Security-Policy': csp },
  }));
  await page.goto('/__vocabulary');
  return page;
}

const leftOf = (page, sel) => page.$$eval(sel, (els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));

describe('class vocabulary', () => {
  it('passes axe in the light theme and the colour rules in the dark theme', TEST, async (t) => {
    const page = await vocabulary();
    const light = await audit(page);
    if (light.violations.length) t.diagnostic(light.text);
    assert.equal(light.blocking.length, 0, light.text);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await audit(page, { rules: ['color-contrast', 'link-in-text-block'] });
    assert.equal(dark.violations.length, 0, dark.text);
  });

  it('tells doers from helpers by shape, not by colour alone', TEST, async () => {
    const page = await vocabulary();
    const marks = await page.evaluate(() => {
      const m = (sel) => {
        const cs = getComputedStyle(document.querySelector(sel));
        return { radius: cs.borderRadius, transform: cs.transform, bg: cs.backgroundColor, border: cs.borderTopWidth };
      };
      const b = (sel) => {
        const cs = getComputedStyle(document.querySelector(sel));
        return { bg: cs.backgroundColor, fg: cs.color };
      };
      return { doer: m('.badge.kind-doer .badge-mark'), helper: m('.badge.kind-helper .badge-mark'),
        doerBadge: b('.badge.kind-doer'), helperBadge: b('.badge.kind-helper') };
    });
    assert.notEqual(marks.doer.transform, 'none', 'the doer mark is a diamond (a turned square)');
    assert.equal(marks.doer.radius, '0px');
    assert.equal(marks.helper.radius, '50%', 'the helper mark is a circle');
    assert.equal(marks.helper.bg, 'rgba(0, 0, 0, 0)', 'the helper circle is hollow');
    assert.notEqual(marks.helper.border, '0px');
    assert.notEqual(marks.doerBadge.bg, marks.helperBadge.bg, 'doer badges are filled, helper badges outlined');
  });

  it('colours the voices bar by kind', TEST, async () => {
    const page = await vocabulary();
    const fills = await page.evaluate(() => ['doer', 'helper'].map((k) =>
      getComputedStyle(document.querySelector(`svg.voices-bar rect.${k}`)).fill));
    assert.notEqual(fills[0], fills[1]);
    assert.ok(fills.every((f) => f !== 'rgb(0, 0, 0)'), fills.join(' '));
  });

  for (const [name, viewport, flatFrom] of [['desktop', DESKTOP, 6], ['phone', PHONE, 3]]) {
    it(`indents the reply tree up to depth ${flatFrom}, then flat (${name})`, TEST, async () => {
      const page = await vocabulary({ viewport });
      const x = [];
      for (let d = 0; d <= 8; d++) {
        const [left] = await leftOf(page, `li.post.depth-${d} > article`);
        x.push(left);
      }
      for (let d = 1; d <= flatFrom; d++) assert.ok(x[d] > x[d - 1], `depth ${d} is indented further: ${x}`);
      for (let d = flatFrom + 1; d <= 8; d++) assert.equal(x[d], x[flatFrom], `depth ${d} stays at ${flatFrom}: ${x}`);
      const width = await page.$eval('li.post.depth-8 > article', (e) => e.getBoundingClientRect().width);
      assert.ok(width >= viewport.width * 0.6, `the deepest reply keeps ${width} px of ${viewport.width}`);
    });
  }

  it('frames pending, hidden and deleted posts differently from live ones', TEST, async () => {
    const page = await vocabulary();
    const frames = await page.evaluate(() => ['depth-0', 'pending', 'hidden', 'deleted'].map((st) => {
      const cs = getComputedStyle(document.querySelector(`li.post.${st} > article`));
      return { st, border: cs.borderTopStyle, bg: cs.backgroundColor };
    }));
    const live = frames.shift();
    for (const { st, border, bg } of frames) {
      assert.equal(border, 'dashed', `${st} has a dashed frame`);
      assert.notEqual(bg, live.bg, `${st} has its own background`);
    }
  });

  it('fits a 360 px screen', TEST, async () => {
    const page = await vocabulary({ viewport: SMALL_PHONE });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 0, `${over} px too wide`);
  });
});
