// lib/pages.mjs — the main pages of Corral as a person reaches them, with the accounts
// they need. Tests iterate over PAGES (axe, CSP, layout); add new pages here as they land
// (thread, new thread, ideas, moderation queues …).
import { unique } from './corral.mjs';
import { signInViaForm, submit } from './flows.mjs';

/** What the pages are seen as and show, made once per suite: a member with a profile, an
 * admin, and a thread with replies. */
export async function fixtures(s) {
  if (s.fixtures) return s.fixtures;
  const member = await s.corral.register({ username: unique('pat'), communityRole: 'practitioner' });
  const r = await s.corral.api('PATCH', `/api/v1/users/${member.username}`, {
    display_name: 'Pat Practitioner',
    bio: 'I run the **service desk** of a regional hospital.\n\n- 14 people\n- 3 shifts\n\nAsk me about `incident` triage.',
  }, { cookie: member.cookie, csrf: member.csrf });
  if (r.status !== 200) throw new Error(`profile update: ${r.status} ${JSON.stringify(r.body)}`);
  const adminName = unique('adm');
  s.corral.addUser(adminName, { role: 'admin', communityRole: 'consultant' });
  const admin = await s.corral.signIn(adminName);
  // A discussion: the admin (trusted) opens it and replies; the member's reply waits for a
  // moderator (a new account's first posts do), which the member sees marked as pending.
  const t = await s.corral.api('POST', '/api/v1/threads', {
    category: 'general', title: 'Who attends your change advisory board?',
    body: 'In most places it is *managers*. Who attends yours?',
  }, { cookie: admin.cookie, csrf: admin.csrf });
  if (t.status !== 201) throw new Error(`thread: ${t.status} ${JSON.stringify(t.body)}`);
  const thread = t.body.thread;
  const opening = t.body.post;
  const r1 = await s.corral.api('POST', `/api/v1/threads/${thread.id}/posts`,
    { body: 'I do — the only one who touched the systems.', parent_id: opening.id },
    { cookie: member.cookie, csrf: member.csrf });
  if (r1.status !== 201) throw new Error(`reply: ${r1.status} ${JSON.stringify(r1.body)}`);
  const r2 = await s.corral.api('POST', `/api/v1/threads/${thread.id}/posts`,
    { body: `Thanks @${member.username}, that matches what I see.`, parent_id: opening.id },
    { cookie: admin.cookie, csrf: admin.csrf });
  if (r2.status !== 201) throw new Error(`reply: ${r2.status} ${JSON.stringify(r2.body)}`);
  // An edit, so the revisions page has a change to show.
  const e = await s.corral.api('PATCH', `/api/v1/posts/${r2.body.post.id}`,
    { body: `Thanks @${member.username}, that matches what I see in most banks.` },
    { cookie: admin.cookie, csrf: admin.csrf });
  if (e.status !== 200) throw new Error(`edit: ${e.status} ${JSON.stringify(e.body)}`);
  // A thread with no voices: its only post was deleted.
  const q = await s.corral.api('POST', '/api/v1/threads', {
    category: 'general', title: 'A question nobody answered', body: 'Withdrawn.',
  }, { cookie: admin.cookie, csrf: admin.csrf });
  if (q.status !== 201) throw new Error(`thread: ${q.status} ${JSON.stringify(q.body)}`);
  const d = await s.corral.api('DELETE', `/api/v1/posts/${q.body.post.id}`, undefined, { cookie: admin.cookie, csrf: admin.csrf });
  if (d.status !== 204) throw new Error(`delete: ${d.status} ${JSON.stringify(d.body)}`);
  s.fixtures = { member, admin, thread, reply: r2.body.post, voiceless: q.body.thread };
  return s.fixtures;
}

export const PAGES = [
  { name: 'home', path: '/' },
  { name: 'home, signed in', path: '/', as: 'member' },
  { name: 'category', path: '/c/general' },
  { name: 'register', path: '/register' },
  {
    name: 'register with an error',
    path: '/register',
    async act(page, f) {
      await page.getByLabel('Username').fill(f.member.username);
      await page.getByLabel('Password').fill('long enough password');
      await page.getByRole('radio', { name: /^Vendor/ }).check();
      await submit(page, page.getByRole('button', { name: 'Create account' }));
      await page.getByRole('alert').waitFor();
    },
  },
  { name: 'sign in', path: '/login' },
  {
    name: 'sign in with an error',
    path: '/login',
    async act(page, f) {
      await signInViaForm(page, f.member.username, 'wrong password here');
      await page.getByRole('alert').waitFor();
    },
  },
  { name: 'forgot password', path: '/password/forgot' },
  { name: 'forgot password, link sent', path: '/password/forgot?sent=1' },
  { name: 'a reset link that does not work', path: `/password/reset?token=${'A'.repeat(43)}`, status: 400 },
  { name: 'profile', path: (f) => `/u/${f.member.username}` },
  { name: 'profile seen by an admin', path: (f) => `/u/${f.member.username}`, as: 'admin' },
  { name: 'settings', path: '/settings', as: 'member' },
  {
    name: 'new API token',
    path: '/settings',
    as: 'member',
    async act(page) {
      await page.getByLabel('Token name').fill(unique('tok'));
      await submit(page, page.getByRole('button', { name: 'Create token' }));
      await page.getByRole('heading', { name: 'Your new API token' }).waitFor();
    },
  },
  {
    // Started, never confirmed, so the fixture's member still signs in with a password alone.
    name: 'two-factor sign-in, setting it up',
    path: '/settings/2fa',
    as: 'member',
    async act(page) {
      await submit(page, page.getByRole('button', { name: /^(Set up two-factor sign-in|Use a new key instead)$/ }));
      await page.getByLabel('Code from your app').waitFor();
      await page.waitForLoadState('load');   // the stylesheet too, before fonts are looked at
    },
  },
  { name: 'sign in: the code', path: '/login/2fa' },
  { name: 'admin', path: '/admin', as: 'admin' },
  { name: 'admin accounts', path: '/admin/users', as: 'admin' },
  { name: 'thread, with a pending reply', path: (f) => `/t/${f.thread.id}`, as: 'member' },
  { name: 'thread with no voices', path: (f) => `/t/${f.voiceless.id}` },
  { name: 'thread, with a moderator\'s controls', path: (f) => `/t/${f.thread.id}`, as: 'admin' },
  { name: 'delete a post', path: (f) => `/p/${f.thread.first_post_id}/delete`, as: 'admin' },
  { name: 'reply to a post', path: (f) => `/t/${f.thread.id}/reply?to=${f.reply.id}`, as: 'member' },
  { name: 'flag a post', path: (f) => `/p/${f.reply.id}/flag`, as: 'member' },
  { name: 'hide a post', path: (f) => `/p/${f.reply.id}/hide`, as: 'admin' },
  { name: 'merge a thread: the threads found', path: (f) => `/t/${f.voiceless.id}/merge?q=advisory+board`, as: 'admin' },
  { name: 'merge a thread: the confirmation', path: (f) => `/t/${f.voiceless.id}/merge?into=${f.thread.id}`, as: 'admin' },
  { name: 'split a thread', path: (f) => `/t/${f.thread.id}/split?post_id=${f.reply.id}`, as: 'admin' },
  { name: 'revisions of an edited post', path: (f) => `/p/${f.reply.id}/revisions` },
  { name: 'moderation log', path: '/mod/log', as: 'member' },
  { name: 'role verification', path: '/settings/verification', as: 'member' },
  { name: 'verifications queue', path: '/mod/verifications', as: 'admin' },
  { name: 'new thread', path: '/new', as: 'member' },
  { name: 'voices', path: '/voices' },
  { name: 'notifications, grouped by thread', path: '/notifications', as: 'member' },
  { name: 'error page', path: '/c/no-such-category', status: 404 },
  { name: 'sign-in needed (401)', path: '/notifications', status: 401 },
];

/** Open spec's page in a new context of suite s (options as for s.page); prepare(page), if
 * given, runs before the page loads (e.g. forceFont). */
export async function open(s, spec, options = {}, prepare = null) {
  const f = await fixtures(s);
  const page = spec.as ? await s.pageAs(f[spec.as], options) : await s.page(options);
  if (prepare) await prepare(page);
  const path = typeof spec.path === 'function' ? spec.path(f) : spec.path;
  const resp = await page.goto(path);
  const want = spec.status ?? 200;
  if (resp.status() !== want) throw new Error(`${path}: HTTP ${resp.status()}, expected ${want}`);
  if (spec.act) {
    await spec.act(page, f);
    // an act that submits a form lands on a new document: its stylesheet too must have
    // loaded before fonts or layout are looked at (else the fallback font is measured)
    await page.waitForLoadState('load');
  }
  return page;
}
