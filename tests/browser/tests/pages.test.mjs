// Every main page (lib/pages.mjs), as a person with and without JavaScript would see it
// (and, issue 16, the colours that carry meaning: helpers are not the amber of "waiting
// for a moderator", and a thread with no voices draws a neutral bar):
//   - axe-core: no serious or critical WCAG 2.0/2.1 A/AA violation and none of the structure
//     rules (one main, one h1, headings in order, content in landmarks) in the light theme;
//     the colour rules again in the dark theme;
//   - its one stylesheet loads under Corral's Content-Security-Policy with no violation (the
//     harness checks the console after each test), one h1, and nothing is wider than the
//     screen, at desktop width and on a 360 px phone;
//   - nothing is wider than a 320 px phone in each font script/bootstrap installs (DejaVu,
//     Liberation and Noto Sans: a layout must not depend on how wide the font is), and the
//     font really drawn is the one asked for (a missing font would make the check vacuous).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { DESKTOP, FONTS, SMALL_PHONE, SMALLEST_PHONE, forceFont, renderedFont } from '../lib/browser.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';
import { PAGES, open } from '../lib/pages.mjs';

const s = useSuite();
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
const summary = (r) => Object.entries(r.byImpact).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';

/** The page's layout facts: stylesheet applied, overflow, header controls off screen, h1s. */
async function checkLayout(page, where) {
  const look = await page.evaluate(() => {
    const de = document.documentElement;
    const outside = [...document.querySelectorAll('header.site a, header.site button')]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.right > window.innerWidth + 0.5 || r.left < -0.5).length;
    return {
      sheet: getComputedStyle(document.body).display,
      overflow: de.scrollWidth - de.clientWidth,
      outside,
      h1: document.querySelectorAll('h1').length,
    };
  });
  assert.equal(look.sheet, 'flex', `corral.css is applied (${where})`);
  assert.ok(look.overflow <= 0, `the page is ${look.overflow} px wider than the screen (${where})`);
  assert.equal(look.outside, 0, `every header link is on screen (${where})`);
  assert.equal(look.h1, 1, `one h1 (${where})`);
}

describe('the Content-Security-Policy header', () => {
  it('forbids inline scripts and styles on HTML pages', TEST, async () => {
    const r = await fetch(s.corral.url('/'));
    const csp = r.headers.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });
});

describe('pages with JavaScript: axe light and dark, desktop and 360 px', () => {
  it('axe catches a violation when there is one (the audit is not a no-op)', TEST, async () => {
    const page = await s.page();
    await page.setContent('<html><body><main><input id="x"></main></body></html>');
    const result = await audit(page);
    assert.ok(result.blocking.some((v) => v.id === 'label' || v.id === 'html-has-lang'), result.text);
  });

  for (const spec of PAGES) {
    it(spec.name, TEST, async (t) => {
      const page = await open(s, spec, { colorScheme: 'light', viewport: DESKTOP });
      await checkLayout(page, 'desktop');

      const light = await audit(page);
      t.diagnostic(`axe ${spec.name} light: violations ${summary(light)}`);
      if (light.violations.length) t.diagnostic(light.text);
      assert.equal(light.blocking.length, 0, `axe on ${spec.name} (light):\n${light.text}`);

      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await audit(page, { rules: COLOUR_RULES });
      t.diagnostic(`axe ${spec.name} dark (colour rules): violations ${summary(dark)}`);
      assert.equal(dark.violations.length, 0, `axe colour rules on ${spec.name} (dark):\n${dark.text}`);

      await page.setViewportSize(SMALL_PHONE);
      await checkLayout(page, '360 px');
    });
  }
});

/** The computed colours of what the selectors match first, as [r, g, b]. */
async function colours(page, specs) {
  return page.evaluate((list) => list.map(([sel, prop]) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const probe = document.createElement('span');
    probe.style.color = getComputedStyle(el)[prop];
    document.body.append(probe);
    const rgb = getComputedStyle(probe).color.match(/[\d.]+/g).slice(0, 3).map(Number);
    probe.remove();
    return rgb;
  }), specs);
}

/** Hue in degrees of an [r, g, b]. */
function hue([r, g, b]) {
  const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

const hueApart = (a, b) => Math.min(Math.abs(hue(a) - hue(b)), 360 - Math.abs(hue(a) - hue(b)));

describe('colours that mean something (issue 16)', () => {
  it('the helper badge is not the amber of "waiting for a moderator", in both themes', TEST, async () => {
    const spec = PAGES.find((p) => p.name === 'thread, with a pending reply');
    const page = await open(s, spec, { colorScheme: 'light', viewport: DESKTOP });
    await page.getByText('waiting for a moderator').first().waitFor();
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      const [badgeText, badgeRing, waiting] = await colours(page, [
        ['.badge.kind-helper', 'color'], ['.badge.kind-helper .badge-mark', 'borderTopColor'],
        ['.status-under_review', 'color']]);
      for (const [what, c] of [['helper badge text', badgeText], ['helper badge mark', badgeRing]]) {
        assert.ok(hueApart(c, waiting) >= 60,
          `${what} rgb(${c}) and "waiting for a moderator" rgb(${waiting}) are ${hueApart(c, waiting).toFixed(0)}° apart in hue (${scheme})`);
      }
    }
  });

  it('a thread with no voices draws a neutral bar, nothing in the helpers\' colour', TEST, async () => {
    const spec = PAGES.find((p) => p.name === 'thread with no voices');
    const page = await open(s, spec, { colorScheme: 'light', viewport: DESKTOP });
    const bar = page.getByRole('img', { name: 'No voices yet' });
    await bar.waitFor();
    const drawn = await bar.evaluate((svg) => [...svg.querySelectorAll('rect')]
      .filter((r) => r.getBBox().width > 0).map((r) => ({ cls: r.getAttribute('class'), fill: getComputedStyle(r).fill })));
    assert.deepEqual(drawn.map((r) => r.cls), ['none'], 'only the neutral part is drawn');
    const [helper, neutral] = await page.evaluate(() => ['var(--helper)', 'var(--border)'].map((v) => {
      const probe = document.createElement('span');
      probe.style.color = v;
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    }));
    assert.equal(drawn[0].fill, neutral, 'the bar is the neutral border colour');
    assert.notEqual(drawn[0].fill, helper);
  });
});

describe('pages without JavaScript', () => {
  for (const spec of PAGES) {
    it(spec.name, TEST, async () => {
      const page = await open(s, spec, { javaScriptEnabled: false, viewport: SMALL_PHONE });
      await checkLayout(page, '360 px, no JavaScript');
    });
  }
});

describe('pages at 320 px in each font bootstrap installs, without JavaScript', () => {
  for (const family of FONTS) {
    it(`every page fits in ${family}`, TEST, async (t) => {
      for (const spec of PAGES) {
        const page = await open(s, spec, { javaScriptEnabled: false, viewport: SMALLEST_PHONE },
          (p) => forceFont(p, family));
        assert.equal(await renderedFont(page), family, `${spec.name} is drawn in ${family} (is it installed?)`);
        await checkLayout(page, `${spec.name}, 320 px, ${family}`);
        await page.context().close();
      }
      t.diagnostic(`${PAGES.length} pages fit 320 px in ${family}`);
    });
  }
});
