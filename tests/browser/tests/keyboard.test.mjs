// The keyboard: the skip link comes first and shows itself, focus is always visible, and a
// form can be completed without a mouse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DESKTOP, PHONE } from '../lib/browser.mjs';
import { expectSignedIn, pathOf } from '../lib/flows.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

/** What has focus now: tag, class, text, whether it is inside the viewport and visible,
 * and its focus ring. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.className,
      text: (el.textContent || '').trim(),
      onScreen: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0 &&
        r.bottom <= window.innerHeight && r.right <= window.innerWidth,
      visible: cs.visibility !== 'hidden' && cs.opacity !== '0',
      outline: `${cs.outlineStyle} ${cs.outlineWidth}`,
    };
  });
}

describe('keyboard', () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    it(`Tab from the top focuses the visible skip link first (${name})`, TEST, async () => {
      const page = await s.page({ viewport });
      await page.goto('/');
      await page.keyboard.press('Tab');
      let f = await focused(page);
      // it slides in (0.12 s) unless the person asked for reduced motion
      for (let i = 0; i < 20 && !f.onScreen; i++) {
        await page.waitForTimeout(50);
        f = await focused(page);
      }
      assert.equal(f.cls, 'skip');
      assert.equal(f.text, 'Skip to content');
      assert.ok(f.onScreen && f.visible, `the skip link is shown when focused: ${JSON.stringify(f)}`);
      await page.keyboard.press('Enter');
      const after = await focused(page);
      assert.equal(after.id, 'main', 'Enter moves focus to the main content');
      assert.equal(new URL(page.url()).hash, '#main');
    });
  }

  it('the skip link is out of sight until focused', TEST, async () => {
    const page = await s.page();
    await page.goto('/login');
    const box = await page.locator('a.skip').boundingBox();
    assert.ok(!box || box.y + box.height <= 0, `skip link hidden: ${JSON.stringify(box)}`);
  });

  it('shows a focus ring on links, buttons and fields', TEST, async () => {
    const page = await s.page();
    await page.goto('/login');
    const seen = new Map();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f.tag === 'body') break;
      if (f.cls === 'skip') continue;
      seen.set(`${f.tag}${f.id ? `#${f.id}` : ''} "${f.text.slice(0, 20)}"`, f.outline);
    }
    assert.ok([...seen.keys()].some((k) => k.startsWith('input#username')), [...seen.keys()].join(', '));
    assert.ok([...seen.keys()].some((k) => k.startsWith('button')), [...seen.keys()].join(', '));
    for (const [what, outline] of seen) {
      const [style, width] = outline.split(' ');
      assert.ok(style !== 'none' && parseFloat(width) >= 2, `${what} has a visible focus ring (${outline})`);
    }
  });

  it('signs in with the keyboard alone', TEST, async () => {
    const account = await s.corral.register();
    const page = await s.page({ javaScriptEnabled: false });
    await page.goto('/login');
    for (let i = 0; i < 15 && (await focused(page)).id !== 'username'; i++) await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'username');
    await page.keyboard.type(account.username);
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'password');
    await page.keyboard.type(account.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(pathOf(page), '/');
    await expectSignedIn(page, account.username);
  });
});
