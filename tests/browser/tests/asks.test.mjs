// "Ask the doers" without JavaScript (issue 21): a practitioner opts in from the settings
// page, a thread's author asks the practitioners with the thread page's button, the
// practitioner's notifications name the thread, /asks lists it as not yet answered, and the
// pages stay accessible.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function person(role, communityRole) {
  const name = unique('ask');
  s.corral.addUser(name, { role, communityRole });
  return s.corral.signIn(name);
}

describe('ask the doers without JavaScript', () => {
  it('opts in, asks from the thread page, and lists the ask', TEST, async () => {
    const doer = await person('member', 'practitioner');
    const author = await person('moderator', 'vendor');   // a moderator: posts appear at once
    const settings = await s.pageAs(doer, { javaScriptEnabled: false });
    await settings.goto('/settings');
    const section = settings.getByRole('region', { name: 'Ask the doers' });
    await section.getByRole('checkbox', { name: /Tell me when a thread asks practitioners/ }).check();
    await section.getByRole('button', { name: 'Save' }).click();
    await settings.waitForURL((u) => u.pathname === '/settings');
    assert.ok(await settings.getByRole('region', { name: 'Ask the doers' }).getByRole('checkbox').isChecked());

    const title = `How do you run change approval ${unique('t')}`;
    const t = await s.corral.api('POST', '/api/v1/threads', { category: 'general', title, body: 'Tell us.' },
      { cookie: author.cookie, csrf: author.csrf });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const page = await s.pageAs(author, { javaScriptEnabled: false });
    await page.goto(`/t/${t.body.thread.id}`);
    await page.getByRole('button', { name: 'Ask the practitioners' }).click();
    await page.waitForURL((u) => u.pathname === `/t/${t.body.thread.id}`);
    await page.locator('p.ask-doers', { hasText: 'asks practitioners' }).waitFor();
    await page.getByRole('button', { name: 'Close the question to practitioners' }).waitFor();

    await settings.goto('/notifications');
    await settings.getByText(`asks practitioners: what is your experience with “${title}”?`).waitFor();

    const list = await s.page({ javaScriptEnabled: false });
    await list.goto('/asks');
    await list.getByRole('heading', { level: 1, name: 'Asked of practitioners' }).waitFor();
    const item = list.locator('li.thread-item', { hasText: title });
    await item.getByText('No practitioner answer yet').waitFor();
    // axe runs in the page: audit with scripts on
    const seen = await s.pageAs(author);
    for (const path of ['/asks', `/t/${t.body.thread.id}`]) {
      await seen.goto(path);
      const a = await audit(seen);
      assert.deepEqual(a.blocking, [], `${path}: ${a.text}`);
    }
  });
});
