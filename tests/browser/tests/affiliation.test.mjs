// Practitioners heard (issue 21, part): a vendor declares an affiliation in the settings'
// own section without JavaScript and readers see it beside the role on the post; the
// monthly report page reads well and passes axe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { submit } from '../lib/flows.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

describe('declared affiliations', () => {
  it('a vendor declares one in Settings without JavaScript and it shows on posts', TEST, async () => {
    const vendor = await s.corral.register({ username: unique('vend'), communityRole: 'vendor' });
    const page = await s.pageAs(vendor, { javaScriptEnabled: false });
    await page.goto('/settings');
    const section = page.getByRole('region', { name: 'Affiliation' });
    await section.getByLabel('Organisation').fill('Acme Service Tools');
    await section.getByLabel(/Products you sell/).fill('AcmeDesk');
    await submit(page, section.getByRole('button', { name: 'Save affiliation' }));
    assert.equal(new URL(page.url()).pathname, '/settings');
    assert.equal(await page.getByRole('region', { name: 'Affiliation' }).getByLabel('Organisation').inputValue(),
      'Acme Service Tools');
    const r = await s.corral.api('POST', '/api/v1/threads',
      { category: 'general', title: `Vendor here ${unique('t')}`, body: 'Our tool does this.' },
      { cookie: vendor.cookie, csrf: vendor.csrf });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // a new account's first post waits for a moderator: its author sees it as readers will
    await page.goto(`/t/${r.body.thread.id}`);
    const meta = page.locator(`#p${r.body.thread.first_post_id}-meta`);
    assert.match(await meta.textContent(), /Vendor[\s\S]*Acme Service Tools[\s\S]*sells AcmeDesk/);
    const withJs = await s.pageAs(vendor);   // axe runs as a script in the page
    await withJs.goto('/settings#affiliation');
    const result = await audit(withJs);
    assert.deepEqual(result.blocking, [], `settings page:\n${result.text}`);
  });
});

describe('an idea from practitioners\' posts', () => {
  it('marks their sources and passes axe', TEST, async () => {
    const name = unique('modr');
    s.corral.addUser(name, { role: 'moderator', communityRole: 'practitioner' });   // posts at once
    const mod = await s.corral.signIn(name);
    const opts = { cookie: mod.cookie, csrf: mod.csrf };
    const t = await s.corral.api('POST', '/api/v1/threads',
      { category: 'general', title: `Runbooks ${unique('t')}`, body: 'We publish a runbook per change.' }, opts);
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const i = await s.corral.api('POST', '/api/v1/ideas',
      { title: `Runbooks for all ${unique('i')}`, summary: 'Publish them.', source_post_ids: [t.body.thread.first_post_id] }, opts);
    assert.equal(i.status, 201, JSON.stringify(i.body));
    const page = await s.page();
    await page.goto(`/ideas/${i.body.idea.number}`);
    assert.match(await page.locator('.source-summary').textContent(), /1 of them by practitioners/);
    assert.equal(await page.locator('.idea-sources li.from-practitioner').count(), 1);
    const result = await audit(page);
    assert.deepEqual(result.blocking, [], `idea page:\n${result.text}`);
  });
});

describe('the monthly report', () => {
  it('/report opens this month, which passes axe', TEST, async () => {
    const page = await s.page({ javaScriptEnabled: false });
    await page.goto('/report');
    assert.match(new URL(page.url()).pathname, /^\/report\/\d{4}-\d{2}$/);
    await page.getByRole('heading', { level: 1, name: /who was heard/ }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Ideas that moved' }).waitFor();
    const withJs = await s.page();   // axe runs as a script in the page
    await withJs.goto(new URL(page.url()).pathname);
    const result = await audit(withJs);
    assert.deepEqual(result.blocking, [], `report page:\n${result.text}`);
  });
});
