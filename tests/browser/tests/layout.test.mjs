// The phone and wide-screen layout of issue 16 item 19, measured: the voices of a thread and
// the voices charts fit a 360 px screen without scrolling sideways (the page nor the chart
// itself); the site header is one row at 1280 px, even for an administrator (the longest
// header); on a 390 px phone it takes at most PHONE_HEADER_MAX px — with the search and the
// account links folded into a menu that works without JavaScript — and axe stays clean.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { DESKTOP, FONTS, PHONE, SMALL_PHONE, forceFont } from '../lib/browser.mjs';
import { unique } from '../lib/corral.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

// The brand and the four sections on one line, and a second line at most for the menu and
// account: 2 × 44 px touch rows + padding. A third of what the header took before (two
// wrapped rows of links, a full-width search form and the account row: ~250 px of 844).
const PHONE_HEADER_MAX = 110;

/** A thread with voices of four community roles, made through the API (by moderators: their
 * posts need no approval). */
async function threadWithVoices() {
  const roles = ['practitioner', 'vendor', 'consultant', 'analyst'];
  const people = [];
  for (const communityRole of roles) {
    const name = unique('voice');
    s.corral.addUser(name, { role: 'moderator', communityRole });
    people.push(await s.corral.signIn(name));
  }
  const [op] = people;
  const t = await s.corral.api('POST', '/api/v1/threads', { category: 'general', title: `Voices ${unique('v')}`,
    body: 'Which roles speak here?' }, { cookie: op.cookie, csrf: op.csrf });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  for (const who of people.slice(1)) {
    const r = await s.corral.api('POST', `/api/v1/threads/${t.body.thread.id}/posts`, { body: 'Me too.' },
      { cookie: who.cookie, csrf: who.csrf });
    assert.ok([201, 202].includes(r.status), JSON.stringify(r.body));
  }
  return t.body.thread;
}

/** How far the page, and the widest element that scrolls inside it, overflow (px). */
const overflow = (page, selector) => page.evaluate((sel) => {
  const de = document.documentElement;
  const els = [...document.querySelectorAll(sel)].filter((e) => !e.closest('.vh'));
  const over = els.map((e) => e.scrollWidth - e.clientWidth);
  const worst = over.indexOf(Math.max(0, ...over));
  return { page: de.scrollWidth - de.clientWidth, inner: Math.max(0, ...over), found: els.length,
    worst: worst >= 0 ? `${els[worst].tagName}.${els[worst].getAttribute('class')}` : null };
}, selector);

/** The site header's height and how many rows its items sit on (distinct tops). */
const headerRows = (page) => page.evaluate(() => {
  const nav = document.querySelector('header.site nav.site-nav');
  const items = [...nav.children].filter((e) => e.getClientRects().length > 0);
  const tops = new Set(items.map((e) => Math.round(e.getBoundingClientRect().top / 8)));
  return { height: document.querySelector('header.site').getBoundingClientRect().height, rows: tops.size,
    items: items.map((e) => `${e.className || e.tagName}@${Math.round(e.getBoundingClientRect().top)}`).join(' '),
    widths: [...nav.querySelectorAll('.brand, ul > li, form, input, button')]
      .map((e) => `${e.className || e.tagName}:${Math.round(e.getBoundingClientRect().width)}`).join(' ') };
});

describe('phone and wide-screen layout', () => {
  it('fits a thread\'s voices and the voices charts in 360 px', TEST, async (t) => {
    const thread = await threadWithVoices();
    const page = await s.page({ viewport: SMALL_PHONE });
    await page.goto(`/t/${thread.id}`);
    const voices = await overflow(page, 'section.voices, section.voices *');
    t.diagnostic(`thread: ${JSON.stringify(voices)}`);
    assert.ok(voices.found > 0, 'the thread shows its voices');
    assert.ok(voices.page <= 0 && voices.inner <= 0, `the voices overflow: ${JSON.stringify(voices)}`);
    await page.goto('/voices');
    const charts = await overflow(page, 'figure.chart');
    t.diagnostic(`voices page: ${JSON.stringify(charts)}`);
    assert.equal(charts.found, 2);
    assert.ok(charts.page <= 0 && charts.inner <= 0, `a chart scrolls sideways: ${JSON.stringify(charts)}`);
  });

  it('keeps the header to one row at 1280 px, signed out and as an administrator', TEST, async (t) => {
    const admin = unique('adm');
    s.corral.addUser(admin, { role: 'admin', communityRole: 'consultant' });
    const who = await s.corral.signIn(admin);
    for (const page of [await s.page({ viewport: DESKTOP }), await s.pageAs(who, { viewport: DESKTOP })]) {
      await page.goto('/');
      const h = await headerRows(page);
      t.diagnostic(`1280 px: ${JSON.stringify(h)}`);
      assert.equal(h.rows, 1, `the header's items sit on one row: ${h.items}`);
      assert.ok(h.height <= 72, `one row of header is ${h.height} px high`);
    }
    // the administrator's header in each font bootstrap installs (DejaVu Sans is the widest)
    for (const family of FONTS) {
      const page = await s.pageAs(who, { viewport: DESKTOP });
      await forceFont(page, family);
      await page.goto('/');
      const h = await headerRows(page);
      assert.equal(h.rows, 1, `${family}: the header's items sit on one row: ${h.items} (${h.widths})`);
    }
  });

  it(`keeps the header under ${PHONE_HEADER_MAX} px on a 390 px phone, with a menu that works without JavaScript`,
    { timeout: 240_000 }, async (t) => {
      const who = await s.corral.register({ communityRole: 'vendor' });
      for (const js of [true, false]) {
        for (const signedIn of [false, true]) {
          const options = { viewport: PHONE, javaScriptEnabled: js };
          const page = signedIn ? await s.pageAs(who, options) : await s.page(options);
          await page.goto('/');
          const h = await headerRows(page);
          t.diagnostic(`390 px (js ${js}): ${JSON.stringify(h)}`);
          assert.ok(h.height <= PHONE_HEADER_MAX, `the phone header is ${h.height} px high: ${h.items}`);
          const o = await overflow(page, 'header.site');
          assert.ok(o.page <= 0 && o.inner <= 0, `the header overflows: ${JSON.stringify(o)}`);
          // the search and the account links wait in the menu, which opens from the keyboard
          const account = page.getByRole('list', { name: 'Account' });
          const first = account.getByRole('link').first();
          assert.ok(!(await first.isVisible()), 'the account links are folded away');
          await page.locator('details.site-menu > summary').focus();
          await page.keyboard.press('Enter');
          await first.waitFor({ timeout: 10_000 });
          assert.ok(await page.getByRole('searchbox', { name: 'Search the forum' }).isVisible());
          const open = await overflow(page, 'header.site');
          assert.ok(open.page <= 0, `the open menu is wider than the screen: ${JSON.stringify(open)}`);
          const box = await page.locator('.site-menu-body').boundingBox();
          assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the menu is on screen: ${JSON.stringify(box)}`);
          if (js && signedIn) {   // axe once: the open menu of a member
            const a11y = await audit(page);
            assert.equal(a11y.blocking.length, 0, a11y.text);
          }
        }
      }
    });

  it('shows the search and the account links in the row on a wider screen, no menu', TEST, async () => {
    const who = await s.corral.register({ communityRole: 'vendor' });
    const page = await s.pageAs(who, { viewport: DESKTOP });
    await page.goto('/');
    assert.ok(!(await page.locator('details.site-menu > summary').isVisible()), 'no menu button');
    const account = page.getByRole('list', { name: 'Account' });
    await account.getByRole('link', { name: who.username, exact: true }).waitFor();
    await account.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search the forum' }).fill('voices');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === 'voices');
    await page.setViewportSize({ width: 800, height: 800 });
    assert.ok(!(await page.locator('details.site-menu > summary').isVisible()), 'no menu at 800 px either');
    const look = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(look <= 0, `800 px: ${look} px too wide`);
  });

  it('indents a deep reply chain at most three levels on a phone, folded subtrees too', TEST, async () => {
    const name = unique('deep');
    s.corral.addUser(name, { role: 'moderator', communityRole: 'practitioner' });
    const who = await s.corral.signIn(name);
    const opts = { cookie: who.cookie, csrf: who.csrf };
    const t = await s.corral.api('POST', '/api/v1/threads',
      { category: 'general', title: `A deep chain ${unique('d')}`, body: 'Level 0' }, opts);
    assert.equal(t.status, 201, JSON.stringify(t.body));
    let parent = t.body.thread.first_post_id;
    for (let i = 1; i <= 7; i++) {
      const r = await s.corral.api('POST', `/api/v1/threads/${t.body.thread.id}/posts`,
        { body: `Level ${i}`, parent_id: parent }, opts);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      parent = r.body.post.id;
    }
    const page = await s.page({ viewport: PHONE, javaScriptEnabled: false });
    await page.goto(`/t/${t.body.thread.id}`);
    // every folded subtree's summary from depth 3 down starts where depth 3's does
    const lefts = await page.evaluate(() => [...document.querySelectorAll('li.subtree > details > summary')]
      .map((e) => ({ depth: Number(e.closest('li.subtree').dataset.depth),
        left: Math.round(e.getBoundingClientRect().left) })));
    const deep = lefts.filter((l) => l.depth >= 3);
    assert.ok(deep.length >= 3, JSON.stringify(lefts));
    assert.ok(deep.every((l) => l.left === deep[0].left), `summaries drift right: ${JSON.stringify(lefts)}`);
    const look = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(look <= 0, `the chain is ${look} px too wide`);
  });
});
