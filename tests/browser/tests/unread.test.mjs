// Unread tracking (issue 19): a signed-in member's thread list says which threads are new to
// them and how many posts they have not read, and the badge opens the thread at the first
// unread post — on the page that holds it, without JavaScript.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { unique } from '../lib/corral.mjs';
import { useSuite } from '../lib/harness.mjs';

const s = useSuite();

describe('unread and new in the thread list', () => {
  it('shows "new" and opens at the first unread post', { timeout: 180_000 }, async () => {
    const name = unique('writer');
    s.corral.addUser(name, { role: 'moderator', communityRole: 'trainer' }); // no posting limit
    const writer = await s.corral.signIn(name);
    const opts = { cookie: writer.cookie, csrf: writer.csrf };
    const reader = await s.corral.register();
    const tag = unique('u').slice(-6);
    const t = await s.corral.api('POST', '/api/v1/threads',
      { category: 'general', title: `Unread here ${tag}`, body: `Opening ${tag}` }, opts);
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const tid = t.body.thread.id, op = t.body.thread.first_post_id;

    const page = await s.pageAs(reader, { javaScriptEnabled: false });
    await page.goto('/');
    const item = page.locator('li.thread-item').filter({ hasText: `Unread here ${tag}` });
    assert.equal(await item.locator('a.unread-badge').textContent(), 'New discussion');

    // reading page 1 of 2 marks page 1; the replies on page 2 stay unread
    const replies = [];
    for (let i = 1; i <= 55; i++) {
      const r = await s.corral.api('POST', `/api/v1/threads/${tid}/posts`, { body: `Reply ${i} ${tag}`, parent_id: op }, opts);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      replies.push(r.body.post.id);
    }
    await page.goto(`/t/${tid}`);
    await page.getByRole('navigation', { name: 'Pages' }).getByText('Page 1 of 2').waitFor();
    await page.goto('/');
    const badge = item.locator('a.unread-badge');
    assert.equal(await badge.textContent(), '6 new posts');
    await badge.click();
    await page.waitForURL((u) => u.pathname === `/t/${tid}` && u.search === '?page=2' && u.hash === `#p${replies[49]}`);
    assert.ok(await page.locator(`#p${replies[49]}`).isVisible());
    await page.getByRole('navigation', { name: 'Pages' }).getByText('Page 2 of 2').waitFor();

    // that page read, nothing is unread any more
    await page.goto('/');
    assert.equal(await item.locator('a.unread-badge').count(), 0);
  });
});
