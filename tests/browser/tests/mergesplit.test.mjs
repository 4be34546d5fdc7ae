// A moderator merges a thread by searching for the other's title, and splits replies off
// into a new thread with a title of their own — no number typed anywhere (issue 16, item 9).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function moderator() {
  const name = unique('mod');
  s.corral.addUser(name, { role: 'moderator', communityRole: 'trainer' });
  return s.corral.signIn(name);
}

async function thread(who, title) {
  const r = await s.corral.api('POST', '/api/v1/threads', { category: 'general', title, body: `Opening words of ${title}.` },
    { cookie: who.cookie, csrf: who.csrf });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.thread;
}

async function reply(who, t, body, parent) {
  const r = await s.corral.api('POST', `/api/v1/threads/${t.id}/posts`, parent ? { body, parent_id: parent } : { body },
    { cookie: who.cookie, csrf: who.csrf });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.post;
}

/** axe runs in the page: only where JavaScript runs. */
async function noBlockingAxe(page, where, mode) {
  if (!mode.javaScriptEnabled) return;
  const result = await audit(page);
  assert.equal(result.blocking.length, 0, `axe on ${where}:\n${result.text}`);
}

for (const mode of JS_MODES) {
  describe(`merging and splitting ${mode.label}`, () => {
    it('merges into a thread found by its title, after confirming', TEST, async () => {
      const mod = await moderator();
      const tag = unique('pq');
      const a = await thread(mod, `Printer queue stalls ${tag}`);
      await reply(mod, a, 'Same here since the update.');
      const b = await thread(mod, `Printer queue stalls every Monday ${tag}`);
      const page = await s.pageAs(mod, { javaScriptEnabled: mode.javaScriptEnabled });

      await page.goto(`/t/${a.id}`);
      await page.getByLabel('Merge into the thread titled').fill(`printer queue ${tag}`);
      await Promise.all([page.waitForURL(`**/t/${a.id}/merge?q=*`), page.getByRole('button', { name: 'Find threads' }).click()]);
      const choice = page.locator('li.search-result', { hasText: b.title });
      await choice.waitFor();
      assert.equal(await page.locator('li.search-result', { hasText: `${a.title}` }).filter({ hasNotText: 'Monday' }).count(), 0,
        'the thread itself is not offered');
      await noBlockingAxe(page, 'the merge search', mode);

      await choice.getByRole('link', { name: 'Merge into this thread…' }).click();
      await page.getByRole('heading', { level: 2, name: `Merge “${a.title}” (2 posts) into “${b.title}” (1 post)?` }).waitFor();
      await noBlockingAxe(page, 'the merge confirmation', mode);
      await Promise.all([page.waitForURL(`**/t/${b.id}?merged=${a.id}`),
        page.getByRole('button', { name: 'Merge the threads' }).click()]);
      await page.getByRole('status').filter({ hasText: `2 posts merged from “${a.title}”.` }).waitFor();
      assert.equal(await page.locator('ol.posts > li.post').count(), 3);
    });

    it('splits replies off from a post into a new thread with a new title', TEST, async () => {
      const mod = await moderator();
      const t = await thread(mod, `Backup rotation ${unique('br')}`);
      const first = await reply(mod, t, 'What about tape?');
      await reply(mod, t, 'Tape is fine for cold copies.', first.id);
      await reply(mod, t, 'Back to the rotation itself.');
      const page = await s.pageAs(mod, { javaScriptEnabled: mode.javaScriptEnabled });

      await page.goto(`/t/${t.id}`);
      await page.locator(`#p${first.id}`).getByRole('link', { name: 'Split from here' }).click();
      await page.getByRole('heading', { level: 2, name: '2 posts move to the new thread' }).waitFor();
      const title = page.getByLabel('Title of the new thread');
      assert.equal(await title.inputValue(), `${t.title} (split)`);
      await noBlockingAxe(page, 'the split page', mode);
      const newTitle = `Tape for cold copies ${unique('tc')}`;
      await title.fill(newTitle);
      await Promise.all([page.waitForURL(new RegExp(`/t/\\d+\\?split_from=${t.id}$`)),
        page.getByRole('button', { name: 'Split into a new thread' }).click()]);
      await page.getByRole('heading', { level: 1, name: newTitle }).waitFor();
      await page.getByRole('status').filter({ hasText: `2 posts split off from “${t.title}”.` }).waitFor();
      await page.getByRole('link', { name: 'edit its opening post' }).waitFor();
      assert.equal(await page.locator('ol.posts li.post').count(), 2);
    });
  });
}
