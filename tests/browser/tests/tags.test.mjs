// Tags work without JavaScript: a member ticks tags on the new-thread form, the thread shows
// them as links, and the tag's page lists the thread with its feed advertised (issue 19).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function person(role, communityRole) {
  const name = unique('tg');
  s.corral.addUser(name, { role, communityRole });
  return s.corral.signIn(name);
}

describe('tags without JavaScript', () => {
  it('tags a thread on the new-thread form and finds it on the tag page', TEST, async (t) => {
    const t0 = Date.now();
    const step = (what) => t.diagnostic(`${what} at ${Date.now() - t0} ms`);
    const mod = await person('moderator', 'trainer');
    const tag = unique('t').slice(0, 12).toLowerCase();
    const r = await s.corral.api('POST', '/api/v1/tags', { name: tag, description: 'Configuration items' },
      { cookie: mod.cookie, csrf: mod.csrf });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // a moderator posts at once; the form is every member's
    const page = await s.pageAs(mod, { javaScriptEnabled: false });
    await page.goto('/new');
    const title = `Tagged on the form ${unique('t')}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel(/What do you want to discuss/).fill('Which CMDB do you run?');
    await page.getByRole('group', { name: /Tags/ }).getByRole('checkbox', { name: new RegExp(tag) }).check();
    await page.getByRole('button', { name: 'Start the discussion' }).click();
    await page.waitForURL('**/t/**');
    const link = page.locator('.thread-tags').getByRole('link', { name: tag });
    await link.waitFor();
    await link.click();
    await page.waitForURL(`**/tags/${tag}`);
    await page.getByRole('heading', { level: 1, name: `Tag ${tag}` }).waitFor();
    await page.getByText('Configuration items').waitFor();
    await page.locator('.thread-item', { hasText: title }).waitFor();
    const feed = page.locator('link[rel="alternate"][type="application/atom+xml"]');
    assert.equal(await feed.getAttribute('href'), `/tags/${tag}/feed.atom`);
    // and on the list of tags, with its count
    await page.goto('/tags');
    await page.locator('li', { hasText: tag }).getByText('1 threads').waitFor();
    // axe (it runs in the page, so with JavaScript) on the tag page, /tags with a
    // moderator's forms, and the thread page with its open tag form
    const js = await s.pageAs(mod);
    await js.goto(`/tags/${tag}`);
    step('tag page');
    const tagPage = await audit(js);
    assert.equal(tagPage.blocking.length, 0, `axe on the tag page:\n${tagPage.text}`);
    await js.goto('/tags');
    const list = await audit(js);
    assert.equal(list.blocking.length, 0, `axe on /tags:\n${list.text}`);
    await js.goto(`/tags/${tag}`);
    await js.locator('.thread-item', { hasText: title }).getByRole('link', { name: title }).click();
    await js.locator('summary', { hasText: 'Change the tags' }).click();
    const thread = await audit(js);
    assert.equal(thread.blocking.length, 0, `axe on the thread page:\n${thread.text}`);
    step('audited');
  });
});
