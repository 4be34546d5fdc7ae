#!/usr/bin/env node
// screenshots.mjs — PNGs of Corral's main pages for docs/screenshots/, made by
// script/screenshots: a throwaway Corral with sample people (and discussions where the
// server already has the API for them), each page at phone (390×844) and desktop
// (1280×800) width, light and dark: NAME-phone-light.png … NAME-desktop-dark.png.
//
//   node screenshots.mjs [--out DIR] [--only NAME,NAME]
//
// Add a page: one entry in SHOTS. Add sample data: seed() below.
import fs from 'node:fs';
import path from 'node:path';

import { DESKTOP, PHONE, launch, newPage, pageProblems } from './lib/browser.mjs';
import { Corral, PASSWORD } from './lib/corral.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const out = path.resolve(opt('--out', 'docs/screenshots'));
const only = opt('--only', '') ? opt('--only', '').split(',') : null;

const PEOPLE = [
  { username: 'maria', role: 'practitioner', display: 'Maria Okafor', bio: 'Service desk lead at a regional hospital: 14 people, 3 shifts, 2,000 tickets a week.\n\nI care about **handovers** and about changes that do not wake us up at 3 am.' },
  { username: 'kenji', role: 'practitioner', display: 'Kenji Watanabe', bio: 'Change and release manager for a public transport operator.' },
  { username: 'claire', role: 'consultant', display: 'Claire Dubois', bio: 'I help IT organisations simplify their processes.' },
  { username: 'victor', role: 'vendor', display: 'Victor Hale', bio: 'Product manager at a service-management tool vendor.' },
  { username: 'anika', role: 'analyst', display: 'Anika Sharma', bio: 'Industry analyst covering IT operations.' },
  { username: 'tom', role: 'trainer', display: 'Tom Becker', bio: 'Certified trainer, ten years of classes.' },
];

const THREADS = [
  {
    by: 'claire', title: 'Change advisory boards: who actually attends yours?',
    body: 'In most organisations I visit, the CAB is managers reviewing changes they will never carry out.\n\nWho attends yours, and does it help?',
    replies: [
      { by: 'maria', body: 'I do, as the only person in the room who has touched the systems being changed. Most approvals take a minute.' },
      { by: 'victor', body: 'Our tool can automate the low-risk ones.', parent: 1 },
      { by: 'kenji', body: 'We stopped weekly CABs for standard changes. Incidents from changes went *down*.', parent: 1 },
      { by: 'anika', body: 'That matches what we see across the industry.' },
    ],
  },
  {
    by: 'kenji', title: 'Handover notes between shifts: what goes in them?',
    body: 'We are rewriting our shift handover template. What do your notes always contain?',
    replies: [{ by: 'maria', body: 'Open major incidents, anything waiting on a third party, and who is on call.' }],
  },
  {
    by: 'tom', title: 'Is ITIL 4 certification worth it for service desk staff?',
    body: 'I get this question in every class. Opinions from people who do the work?',
    replies: [
      { by: 'claire', body: 'For team leads, yes.' },
      { by: 'victor', body: 'It helps when buying tools.' },
    ],
  },
];

const SHOTS = [
  { name: 'home', path: '/', as: 'maria' },
  { name: 'register', path: '/register' },
  { name: 'profile', path: '/u/maria' },
  { name: 'admin', path: '/admin', as: 'admin' },
  // Pages that exist only once the server has them are skipped when they answer 404.
  { name: 'thread', path: (data) => data.firstThread && `/t/${data.firstThread}`, as: 'maria' },
  { name: 'voices', path: '/voices', optional: true },
];

async function seed(corral) {
  const data = { sessions: {} };
  const admin = corral.addUser('admin', { role: 'admin', communityRole: 'consultant' });
  data.sessions.admin = await corral.signIn(admin.username, admin.password);
  for (const p of PEOPLE) {
    const s = await corral.register({ username: p.username, communityRole: p.role });
    const r = await corral.api('PATCH', `/api/v1/users/${p.username}`, { display_name: p.display, bio: p.bio },
      { cookie: s.cookie, csrf: s.csrf });
    if (r.status !== 200) console.warn(`screenshots: profile of ${p.username}: HTTP ${r.status}`);
    data.sessions[p.username] = s;
  }
  // A verified role, shown on the profile.
  await corral.api('PATCH', '/api/v1/users/maria', { role_verified: true },
    { cookie: data.sessions.admin.cookie, csrf: data.sessions.admin.csrf });

  // Discussions, through the JSON API of SPEC §7 where this build has it.
  for (const t of THREADS) {
    const s = data.sessions[t.by];
    const r = await corral.api('POST', '/api/v1/threads', { category: 'general', title: t.title, body: t.body },
      { cookie: s.cookie, csrf: s.csrf });
    if (r.status === 404 || r.status === 405) {
      console.log('screenshots: no thread API in this build; pages show no discussions');
      break;
    }
    if (r.status !== 201) {
      console.warn(`screenshots: thread "${t.title}": HTTP ${r.status} ${JSON.stringify(r.body)}`);
      continue;
    }
    const thread = r.body.thread;
    data.firstThread ??= thread.id;
    const posts = [r.body.post];
    for (const reply of t.replies) {
      const rs = data.sessions[reply.by];
      const parent = posts[reply.parent ?? 0];
      const rr = await corral.api('POST', `/api/v1/threads/${thread.id}/posts`,
        { body: reply.body, parent_id: parent?.id }, { cookie: rs.cookie, csrf: rs.csrf });
      if (rr.status === 201) posts.push(rr.body.post);
      else console.warn(`screenshots: reply by ${reply.by}: HTTP ${rr.status} ${JSON.stringify(rr.body)}`);
    }
  }
  return data;
}

// Sample people post at once: no pending queue for their first posts.
const corral = await Corral.start({ name: 'screenshots', extraArgs: ['--trust-posts', '0'] });
let failed = false;
try {
  const data = await seed(corral);
  fs.mkdirSync(out, { recursive: true });
  const browser = await launch();
  try {
    for (const shot of SHOTS) {
      if (only && !only.includes(shot.name)) continue;
      const p = typeof shot.path === 'function' ? shot.path(data) : shot.path;
      if (!p) {
        console.log(`screenshots: ${shot.name}: skipped (no sample data for it)`);
        continue;
      }
      sizes: for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        for (const colorScheme of ['light', 'dark']) {
          const page = await newPage(browser, {
            baseURL: corral.base, viewport, colorScheme, deviceScaleFactor: 1, reducedMotion: 'reduce',
          });
          const session = shot.as && data.sessions[shot.as];
          if (session) {
            const [n, v] = session.cookie.split('=');
            await page.context().addCookies([{ name: n, value: v, url: corral.base }]);
          }
          const resp = await page.goto(p);
          if (resp.status() === 404 && shot.optional) {
            await page.context().close();
            console.log(`screenshots: ${shot.name}: skipped (${p} is not in this build)`);
            break sizes;
          }
          if (resp.status() !== 200) {
            console.error(`screenshots: ${p}: HTTP ${resp.status()}`);
            failed = true;
          }
          const file = path.join(out, `${shot.name}-${size}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          const { csp, errors } = pageProblems(page);
          if (csp.length || errors.length) {
            console.error(`screenshots: ${p}: ${[...csp, ...errors].join('; ')}`);
            failed = true;
          }
          await page.context().close();
          console.log(`screenshots: ${path.relative(process.cwd(), file)}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
} catch (err) {
  console.error(`screenshots: ${err.stack || err}`);
  failed = true;
} finally {
  const code = await corral.stop();
  if (code !== 0) console.error(`screenshots: corral serve exited ${code}`);
}
process.exit(failed ? 1 : 0);
