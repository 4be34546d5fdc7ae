// What an admin manages on /admin, with JavaScript and as plain forms without it: a new
// category, edited and moved up (the home page follows), the accounts list with its search,
// and the site's name (the header and the title follow at once).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { unique } from '../lib/corral.mjs';
import { pathOf, submit } from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

async function adminPage(opts) {
  const name = unique('adm');
  s.corral.addUser(name, { role: 'admin', communityRole: 'trainer' });
  const admin = await s.corral.signIn(name);
  return { admin, page: await s.pageAs(admin, opts) };
}

const homeCategories = (page) => page.locator('main ul.categories > li > a').allInnerTexts();

for (const mode of JS_MODES) {
  const opts = { javaScriptEnabled: mode.javaScriptEnabled };

  describe(`administration ${mode.label}`, () => {
    it('adds a category, edits it and moves it up', TEST, async () => {
      const { page } = await adminPage(opts);
      await page.goto('/admin');
      const slug = unique('cat').toLowerCase();
      const add = page.getByRole('form', { name: 'Add a category' });
      await add.getByLabel('Slug').fill(slug);
      await add.getByLabel('Name').fill(`Category ${slug}`);
      await add.getByLabel('Description').fill('Made in the browser');
      await submit(page, add.getByRole('button', { name: 'Add category' }));
      assert.equal(pathOf(page), '/admin');

      const item = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: `Category ${slug}` }) });
      await item.locator('summary').click();   // opens its edit form (<details>, no script needed)
      const edit = page.getByRole('form', { name: `Edit Category ${slug}` });
      await edit.getByLabel('Name').fill(`Renamed ${slug}`);
      await submit(page, edit.getByRole('button', { name: `Save Category ${slug}` }));
      assert.equal(pathOf(page), '/admin');

      await page.goto('/');
      const before = await homeCategories(page);
      const at = before.indexOf(`Renamed ${slug}`);
      assert.ok(at > 0, `the new category is listed after another: ${before}`);
      await page.goto('/admin');
      await submit(page, page.getByRole('button', { name: `Move up Renamed ${slug}` }));
      assert.equal(pathOf(page), '/admin');
      assert.equal(await page.getByRole('button', { name: `Move down Renamed ${slug}` }).isDisabled(), false);
      await page.goto('/');
      const after = await homeCategories(page);
      assert.equal(after[at - 1], `Renamed ${slug}`);
      assert.equal(after[at], before[at - 1]);
    });

    it('finds an account and changes its permission role', TEST, async () => {
      const { page } = await adminPage(opts);
      const member = await s.corral.register({ username: unique('find'), communityRole: 'practitioner' });
      await page.goto('/admin/users');
      await page.getByLabel('Username or display name').fill(member.username);
      await submit(page, page.getByRole('main').getByRole('button', { name: 'Search' }));
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: member.username }) });
      await row.waitFor();
      assert.equal(await page.getByRole('row').count(), 2, 'the header row and the one account found');
      await row.getByLabel(`Permission role of ${member.username}`).selectOption('moderator');
      await submit(page, row.getByRole('button', { name: `Set role of ${member.username}` }));
      assert.equal(pathOf(page), '/admin/users');
      assert.equal(await page.getByLabel(`Permission role of ${member.username}`).inputValue(), 'moderator');
    });

    it('renames the site: the header and the title follow at once', TEST, async () => {
      const { admin, page } = await adminPage(opts);
      const was = (await s.corral.api('GET', '/api/v1/site')).body.site;
      const name = `Ops Commons ${unique('')}`;
      try {
        await page.goto('/admin');
        const form = page.getByRole('form', { name: 'Site', exact: true });
        await form.getByLabel('Site name').fill(name);
        await form.getByLabel('Tagline').fill('where the people on call are heard');
        await submit(page, form.getByRole('button', { name: 'Save site' }));
        assert.equal(pathOf(page), '/admin');
        const anon = await s.page(opts);
        await anon.goto('/');
        assert.equal(await anon.title(), `Discussions · ${name}`);
        assert.equal(await anon.locator('header.site .brand').innerText(), name);
        assert.match(await anon.locator('footer.site').innerText(), /where the people on call are heard/);
        assert.equal(await anon.locator('meta[property="og:site_name"]').getAttribute('content'), name);
      } finally {
        const r = await s.corral.api('PATCH', '/api/v1/site',
          { site_name: was.site_name, tagline: was.tagline, description: was.description },
          { cookie: admin.cookie, csrf: admin.csrf });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
    });
  });
}
