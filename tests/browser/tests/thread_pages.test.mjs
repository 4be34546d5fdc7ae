// A long thread as a reader without JavaScript walks it (issue 16, defect 12): 50 posts a
// page with "page N of M" and links both ways, a reply whose parent is on the page before
// says whom it answers and links there, and a reply's subtree folds from the keyboard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { unique } from '../lib/corral.mjs';
import { pathOf, postId, postItem } from '../lib/flows.mjs';
import { useSuite } from '../lib/harness.mjs';

const s = useSuite();

describe('a long thread without JavaScript', () => {
  it('pages, jumps back to a parent and folds a subtree', { timeout: 180_000 }, async () => {
    const name = unique('long');
    s.corral.addUser(name, { role: 'moderator', communityRole: 'trainer' }); // no posting limit
    const who = await s.corral.signIn(name);
    const opts = { cookie: who.cookie, csrf: who.csrf };
    const tag = unique('t').slice(-6);
    const t = await s.corral.api('POST', '/api/v1/threads',
      { category: 'general', title: `A long thread ${tag}`, body: `Opening ${tag}` }, opts);
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const tid = t.body.thread.id, op = t.body.thread.first_post_id;
    const replies = [];
    for (let i = 1; i <= 55; i++) {
      const r = await s.corral.api('POST', `/api/v1/threads/${tid}/posts`, { body: `Reply ${i} ${tag}`, parent_id: op }, opts);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      replies.push(r.body.post.id);
    }
    const nested = await s.corral.api('POST', `/api/v1/threads/${tid}/posts`,
      { body: `Nested under reply 1 ${tag}`, parent_id: replies[0] }, opts);
    assert.equal(nested.status, 201);

    const page = await s.page({ javaScriptEnabled: false });
    await page.goto(`/t/${tid}`);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByText('Page 1 of 2').waitFor();
    assert.equal(await page.locator('ol.posts li.post').count(), 50);

    // the subtree of reply 1 folds and unfolds from the keyboard, no script involved
    const inner = postItem(page, `Nested under reply 1 ${tag}`);
    assert.ok(await inner.isVisible());
    const summary = page.locator(`#p${replies[0]} + li.subtree > details > summary`);
    assert.equal(await summary.textContent(), '1 reply');
    await summary.focus();
    await page.keyboard.press('Enter');
    assert.ok(!(await inner.isVisible()), 'the subtree folded');
    await page.keyboard.press('Enter');
    assert.ok(await inner.isVisible(), 'the subtree unfolded');

    // next, then the first post of page 2 answers the opening post on page 1
    await nav.getByRole('link', { name: 'Next' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).getByText('Page 2 of 2').waitFor();
    const first = page.locator('ol.posts li.post').first();
    const link = first.locator('.in-reply-to a');
    assert.equal(await link.textContent(), `@${name}`);
    await link.click();
    await page.waitForURL((u) => u.pathname === `/t/${tid}` && u.hash === `#p${op}`);
    assert.equal(await postId(postItem(page, `Opening ${tag}`)), op);

    // and back from page 2 by "Previous"
    await page.goto(`/t/${tid}?page=2`);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Previous' }).click();
    await page.waitForURL((u) => u.pathname === `/t/${tid}` && u.search === '');
    assert.equal(pathOf(page), `/t/${tid}`);
  });
});
