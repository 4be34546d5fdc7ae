// Bookmarks work without JavaScript: the Bookmark link under a post leads to a form that
// keeps it with a reminder and a note, the post then says so, and /bookmarks lists it with
// a Remove button (issue 19).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function person(role) {
  const name = unique('bm');
  s.corral.addUser(name, { role });
  return s.corral.signIn(name);
}

async function call(who, method, path, body) {
  const r = await s.corral.api(method, path, body, { cookie: who.cookie, csrf: who.csrf });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('bookmarks without JavaScript', () => {
  it('bookmarks a post with a reminder and a note, lists it, and removes it', TEST, async () => {
    const author = await person('moderator');   // moderators post at once
    const reader = await person('member');
    const title = `Worth keeping ${unique('t')}`;
    const t = await call(author, 'POST', '/api/v1/threads', { category: 'general', title, body: 'Opening words.' });
    const p = await call(author, 'POST', `/api/v1/threads/${t.thread.id}/posts`, { body: 'A reply to come back to.' });
    const page = await s.pageAs(reader, { javaScriptEnabled: false });
    await page.goto(`/t/${t.thread.id}`);
    await page.locator(`#p${p.post.id}`).getByRole('link', { name: 'Bookmark', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Bookmark a post' }).waitFor();
    await page.getByLabel('Tomorrow, this time').check();
    await page.getByLabel('Note (optional, one line)').fill('after the CAB');
    await page.getByRole('button', { name: 'Bookmark this post' }).click();
    await page.waitForURL(`**/t/${t.thread.id}*`);
    const mark = page.locator(`#p${p.post.id} .post-actions a`, { hasText: 'Bookmarked' });
    await mark.waitFor();
    assert.match(await mark.textContent(), /reminder/);
    // a time of one's own, without a zone: read as UTC
    await mark.click();
    await page.getByRole('heading', { level: 1, name: 'Your bookmark' }).waitFor();
    assert.equal(await page.locator('input[name=remind][value=keep]').isChecked(), true);
    await page.getByLabel('At a time of your choice (UTC):').check();
    await page.getByLabel('Reminder time (UTC)').fill('2027-03-01T09:30');
    await page.getByRole('button', { name: 'Save the bookmark' }).click();
    await page.waitForURL(`**/t/${t.thread.id}*`);
    await page.locator(`#p${p.post.id} .post-actions a time[datetime="2027-03-01T09:30:00Z"]`).waitFor();

    await page.goto('/bookmarks');
    await page.getByRole('heading', { level: 1, name: 'Bookmarks' }).waitFor();
    const item = page.locator('ul.bookmarks > li', { hasText: title });
    await item.getByText('A reply to come back to.').waitFor();
    await item.getByText('Note: after the CAB').waitFor();
    assert.equal(await item.getByRole('link', { name: title }).getAttribute('href'), `/p/${p.post.id}`);
    await item.getByRole('button', { name: 'Remove this bookmark' }).click();
    await page.waitForURL('**/bookmarks');
    await page.getByText('No bookmarks yet.').waitFor();
  });
});

describe('bookmark pages for everyone', () => {
  it('pass axe: the bookmark form and the list', TEST, async () => {
    const author = await person('moderator');
    const reader = await person('member');
    const t = await call(author, 'POST', '/api/v1/threads', { category: 'general', title: `Axe ${unique('t')}`, body: 'Opening words.' });
    await call(reader, 'POST', `/api/v1/posts/${t.thread.first_post_id}/bookmark`, { remind: 'week', note: 'check' });
    const page = await s.pageAs(reader);   // axe runs as a script in the page
    for (const path of [`/p/${t.thread.first_post_id}/bookmark`, '/bookmarks']) {
      await page.goto(path);
      const a11y = await audit(page);
      assert.deepEqual(a11y.blocking, [], `${path}: ${a11y.text}`);
    }
  });
});
