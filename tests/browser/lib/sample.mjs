// lib/sample.mjs — a small community with something on every page, made through the JSON
// API (and the command line for the staff): people of every community role, discussions
// with nested replies, a post waiting for a moderator, a flag and an idea nomination in the
// queues, ideas with votes split between doers and helpers, and a closed survey with
// answers. Used by screenshots.mjs; the server should run with --trust-posts 0 so that the
// sample people's posts appear at once (the pending post is held by the link rule).

export const PEOPLE = [
  { username: 'maria', role: 'practitioner', display: 'Maria Okafor', bio: 'Service desk lead at a regional hospital: 14 people, 3 shifts, 2,000 tickets a week.\n\nI care about **handovers** and about changes that do not wake us up at 3 am.' },
  { username: 'kenji', role: 'practitioner', display: 'Kenji Watanabe', bio: 'Change and release manager for a public transport operator.' },
  { username: 'lena', role: 'practitioner', display: 'Lena Berg', bio: 'On-call engineer, infrastructure team of a university.' },
  { username: 'claire', role: 'consultant', display: 'Claire Dubois', bio: 'I help IT organisations simplify their processes.' },
  { username: 'victor', role: 'vendor', display: 'Victor Hale', bio: 'Product manager at a service-management tool vendor.' },
  { username: 'anika', role: 'analyst', display: 'Anika Sharma', bio: 'Industry analyst covering IT operations.' },
  { username: 'tom', role: 'trainer', display: 'Tom Becker', bio: 'Certified trainer, ten years of classes.' },
];

// Replies name their parent by index in the thread's posts (0: the opening post).
export const THREADS = [
  {
    by: 'claire', title: 'Change advisory boards: who actually attends yours?',
    body: 'In most organisations I visit, the CAB is managers reviewing changes they will never carry out.\n\nWho attends yours, and does it help?',
    replies: [
      { by: 'maria', body: 'I do, as the only person in the room who has touched the systems being changed. Most approvals take a minute; the **risky** ones get five.' },
      { by: 'victor', body: 'Our tool can automate the low-risk ones.', parent: 1 },
      { by: 'kenji', body: 'We stopped weekly CABs for standard changes and kept a catalogue of pre-approved ones instead. Incidents caused by changes went *down*.', parent: 1 },
      { by: 'lena', body: 'How long did it take to get the catalogue accepted by audit?', parent: 3 },
      { by: 'kenji', body: 'Four months, mostly waiting for one meeting. Worth it: see IDEA-1.', parent: 4 },
      { by: 'anika', body: 'That matches what we see across the industry: the CAB is where changes wait, not where risk is found.' },
      { by: 'tom', body: 'I teach the CAB as a *last resort* for exactly this reason.', parent: 6 },
    ],
  },
  {
    by: 'kenji', title: 'Handover notes between shifts: what goes in them?',
    body: 'We are rewriting our shift handover template. What do your notes always contain?',
    replies: [
      { by: 'maria', body: 'Open major incidents, anything waiting on a third party, and who is on call.' },
      { by: 'lena', body: 'And what you *tried* that did not work — it saves the next shift an hour.', parent: 1 },
      { by: 'claire', body: 'A fixed template helps; a free-text box at the end helps more.' },
    ],
  },
  {
    by: 'tom', title: 'Is ITIL 4 certification worth it for service desk staff?',
    body: 'I get this question in every class. Opinions from people who do the work?',
    replies: [
      { by: 'claire', body: 'For team leads, yes.' },
      { by: 'victor', body: 'It helps when buying tools.' },
      { by: 'anika', body: 'Employers ask for it less every year.' },
    ],
  },
  {
    by: 'anika', title: 'Which metrics do you report to management every month?',
    body: 'Mean time to resolve, first-contact resolution, customer satisfaction — what else, and does anyone read them?',
    replies: [
      { by: 'victor', body: 'Dashboards are only as good as the data behind them.' },
      { by: 'claire', body: 'Fewer, but explained: three numbers and a paragraph.' },
    ],
  },
];

export const IDEAS = [
  {
    title: 'A catalogue of pre-approved standard changes',
    summary: 'Publish a catalogue of **standard changes** that need no CAB: each with its risk assessment, who may carry it out, and how to roll it back.',
    source: [0, 3], status: 'planned', reason: 'Agreed at the November meeting.',
    voters: ['maria', 'kenji', 'lena', 'claire', 'tom'],
  },
  {
    title: 'A shared shift handover template',
    summary: 'One template for shift handovers, with a free-text box for what was tried and did not work.',
    source: [1, 2], status: 'under_review', reason: 'Collecting examples.',
    voters: ['maria', 'lena', 'anika'],
  },
  {
    title: 'Monthly report: three numbers and a paragraph',
    summary: 'Replace the forty-chart monthly report by three numbers and a paragraph explaining them.',
    source: [3, 2], status: null,
    voters: ['claire', 'victor', 'anika', 'tom'],
  },
  {
    title: 'Vendor-neutral tool comparisons',
    summary: 'A page comparing service-management tools by what practitioners actually use them for.',
    source: [2, 2], status: 'declined', reason: 'Out of scope for this community.',
    voters: ['victor'],
  },
];

export const SURVEY_QUESTIONS = [
  { kind: 'single', prompt: 'Do you think there is such a thing as this community?', required: true, options: ['Yes', 'No', 'Not sure'] },
  { kind: 'scale', prompt: 'Do you feel part of it? (1 = not at all, 5 = completely)', required: true },
  { kind: 'single', prompt: 'Would you like to be part of it?', required: true, options: ['Yes', 'Maybe', 'No'] },
  { kind: 'text', prompt: 'What would you expect to give to and receive from it?', required: false },
  { kind: 'multi', prompt: 'How would you expect to communicate with it?', required: false, options: ['Discussions in this forum', 'Meetups and conferences', 'Chat', 'Newsletters', 'Webinars', 'Other'] },
];

// One answer per person: [q1 option, q2 value, q3 option, q4 text, q5 options].
const ANSWERS = {
  maria: ['Yes', 4, 'Yes', 'Give: what works on a real service desk. Receive: the same from others, without a sales pitch.', ['Discussions in this forum', 'Chat']],
  kenji: ['Not sure', 3, 'Yes', 'Honest stories of changes that went wrong.', ['Discussions in this forum', 'Meetups and conferences']],
  lena: ['Yes', 2, 'Maybe', '', ['Chat']],
  claire: ['Yes', 5, 'Yes', 'I would give workshops and take back what practitioners need.', ['Meetups and conferences', 'Webinars']],
  victor: ['Yes', 4, 'Yes', 'Product feedback.', ['Webinars', 'Newsletters']],
  anika: ['Not sure', 3, 'Maybe', 'Data on how teams really work.', ['Newsletters']],
  tom: ['Yes', 5, 'Yes', '', ['Meetups and conferences', 'Webinars']],
};

async function call(corral, session, method, path, body, want) {
  const r = await corral.api(method, path, body, { cookie: session.cookie, csrf: session.csrf });
  if (want && r.status !== want) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** Make the sample community on corral; returns {sessions, threads: [{id, posts: [post ids]}],
 * ideas: [numbers], survey: id, pendingThread, flagged}. */
export async function seedSample(corral) {
  const data = { sessions: {}, threads: [], ideas: [] };
  corral.addUser('admin', { role: 'admin', communityRole: 'consultant' });
  data.sessions.admin = await corral.signIn('admin');
  corral.addUser('rosa', { role: 'moderator', communityRole: 'practitioner' });
  data.sessions.rosa = await corral.signIn('rosa');
  await call(corral, data.sessions.rosa, 'PATCH', '/api/v1/users/rosa', { display_name: 'Rosa Lind', bio: 'Moderator. Incident manager by day.' }, 200);
  for (const p of PEOPLE) {
    const s = await corral.register({ username: p.username, communityRole: p.role });
    data.sessions[p.username] = s;
    await call(corral, s, 'PATCH', `/api/v1/users/${p.username}`, { display_name: p.display, bio: p.bio }, 200);
  }
  const mod = data.sessions.rosa;
  await call(corral, mod, 'PATCH', '/api/v1/users/maria', { role_verified: true }, 200);
  await call(corral, mod, 'PATCH', '/api/v1/users/kenji', { role_verified: true }, 200);

  // Discussions with nested replies.
  for (const t of THREADS) {
    const r = await call(corral, data.sessions[t.by], 'POST', '/api/v1/threads',
      { category: 'general', title: t.title, body: t.body }, 201);
    const posts = [r.body.post.id];
    for (const reply of t.replies) {
      const rr = await call(corral, data.sessions[reply.by], 'POST', `/api/v1/threads/${r.body.thread.id}/posts`,
        { body: reply.body, parent_id: posts[reply.parent ?? 0] }, 201);
      posts.push(rr.body.post.id);
    }
    data.threads.push({ id: r.body.thread.id, posts });
  }

  // Ideas from those discussions, with votes from both sides.
  for (const idea of IDEAS) {
    const [ti, pi] = idea.source;
    const r = await call(corral, mod, 'POST', '/api/v1/ideas',
      { title: idea.title, summary: idea.summary, source_post_ids: [data.threads[ti].posts[pi]] }, 201);
    const n = r.body.idea.number;
    data.ideas.push(n);
    if (idea.status) await call(corral, mod, 'PATCH', `/api/v1/ideas/${n}`, { status: idea.status, reason: idea.reason }, 200);
    for (const v of idea.voters) await call(corral, data.sessions[v], 'POST', `/api/v1/ideas/${n}/votes`, undefined, 200);
  }

  // The moderation queues: a post held by the link rule, a flag, an idea nomination.
  const links = Array.from({ length: 6 }, (_, i) => `[page ${i + 1}](https://tools.example.com/p${i + 1})`).join(', ');
  const pending = await call(corral, data.sessions.victor, 'POST', `/api/v1/threads/${data.threads[1].id}/posts`,
    { body: `Our handover module does all of this. Feature pages: ${links}.`, parent_id: data.threads[1].posts[0] }, 201);
  data.pendingPost = pending.body.post.id;
  data.flagged = data.threads[0].posts[2];
  await call(corral, data.sessions.maria, 'POST', `/api/v1/posts/${data.flagged}/flags`,
    { reason: 'spam', note: 'Sells his own tool in every thread.' }, 201);
  await call(corral, data.sessions.lena, 'POST', `/api/v1/posts/${data.flagged}/flags`, { reason: 'off_topic' }, 201);
  await call(corral, data.sessions.kenji, 'POST', `/api/v1/posts/${data.threads[1].posts[2]}/nominations`,
    { note: 'Writing down what did not work deserves its own idea.' }, 201);

  // A closed survey with answers from every role.
  const sv = await call(corral, mod, 'POST', '/api/v1/surveys', {
    title: 'Is there a community here?',
    intro: 'We want to hear what this community is — or could be — to the people in it, practitioners above all.',
    questions: SURVEY_QUESTIONS,
  }, 201);
  const survey = sv.body.survey;
  data.survey = survey.id;
  const q = survey.questions;
  const opt = (qi, label) => q[qi].options.find((o) => o.label === label).id;
  for (const [who, a] of Object.entries(ANSWERS)) {
    const answers = [
      { question_id: q[0].id, option_ids: [opt(0, a[0])] },
      { question_id: q[1].id, value: a[1] },
      { question_id: q[2].id, option_ids: [opt(2, a[2])] },
      { question_id: q[4].id, option_ids: a[4].map((l) => opt(4, l)) },
    ];
    if (a[3]) answers.push({ question_id: q[3].id, text: a[3] });
    await call(corral, data.sessions[who], 'PUT', `/api/v1/surveys/${survey.id}/response`, { answers }, 200);
  }
  await call(corral, mod, 'POST', `/api/v1/surveys/${survey.id}/close`, undefined, 200);
  // …and an open one beside it.
  const open = await call(corral, mod, 'POST', '/api/v1/surveys', {
    title: 'How do you hear about changes that affect you?',
    intro: 'A short one, for the change-management discussion.',
    thread_id: data.threads[0].id,
    questions: [
      { kind: 'single', prompt: 'How do you usually hear about a change before it happens?', required: true, options: ['The CAB', 'An email', 'A chat message', 'I do not'] },
      { kind: 'text', prompt: 'What would you like to know in advance?' },
    ],
  }, 201);
  data.openSurvey = open.body.survey.id;
  return data;
}
