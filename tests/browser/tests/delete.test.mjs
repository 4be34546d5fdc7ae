// Deleting a post asks first — a dialog with JavaScript, a page of its own without — and
// the thread then offers to restore it (issue 16).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { unique } from '../lib/corral.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function ownThread() {
  const name = unique('del');
  s.corral.addUser(name, { role: 'moderator', communityRole: 'trainer' });   // posts at once
  const who = await s.corral.signIn(name);
  const t = await s.corral.api('POST', '/api/v1/threads', {
    category: 'general', title: `A thread to tidy ${unique('t')}`, body: 'Opening words.',
  }, { cookie: who.cookie, csrf: who.csrf });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  const r = await s.corral.api('POST', `/api/v1/threads/${t.body.thread.id}/posts`, { body: 'Said in haste.' },
    { cookie: who.cookie, csrf: who.csrf });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { who, thread: t.body.thread, post: r.body.post };
}

for (const mode of JS_MODES) {
  describe(`deleting a post ${mode.label}`, () => {
    it('asks before deleting, and the post can be restored from the thread', TEST, async () => {
      const { who, thread, post } = await ownThread();
      const page = await s.pageAs(who, { javaScriptEnabled: mode.javaScriptEnabled });
      await page.goto(`/p/${post.id}/edit`);
      const li = page.locator(`#p${post.id}`);
      if (mode.javaScriptEnabled) {
        // No: nothing happens, the editor stays.
        page.once('dialog', (d) => d.dismiss());
        await page.getByRole('link', { name: 'Delete this post…' }).click();
        await page.waitForTimeout(300);
        assert.equal(new URL(page.url()).pathname, `/p/${post.id}/edit`);
        // Yes: the post is deleted and the thread shows where it was.
        let question = '';
        page.once('dialog', (d) => { question = d.message(); d.accept(); });
        await Promise.all([page.waitForURL(`**/t/${thread.id}*`), page.getByRole('link', { name: 'Delete this post…' }).click()]);
        assert.match(question, /Delete this post\?/);
      } else {
        await page.getByRole('link', { name: 'Delete this post…' }).click();
        await page.getByRole('heading', { level: 1, name: 'Delete this post?' }).waitFor();
        await page.getByRole('button', { name: 'Delete the post' }).click();
        await page.waitForURL(`**/t/${thread.id}*`);
      }
      await li.waitFor();
      assert.match(await li.getAttribute('class'), /\bdeleted\b/);
      await li.getByRole('button', { name: 'Restore' }).click();
      await li.getByRole('button', { name: 'Restore' }).waitFor({ state: 'detached' });
      assert.doesNotMatch(await page.locator(`#p${post.id}`).getAttribute('class'), /\bdeleted\b/);
    });
  });
}
