// lib/junit.mjs — a node:test reporter writing one flat JUnit <testsuite>: one <testcase>
// per test (suites are not counted as tests), so script/tally's counts are the tests run.
// A suite that fails on its own (a hook, or an error in its body) counts as one failure.
// Use: node --test --test-reporter=./lib/junit.mjs --test-reporter-destination=out.xml

const esc = (s) => String(s)
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function errorText(err) {
  if (!err) return '';
  const cause = err.cause ?? err;
  const parts = [cause?.message ?? String(cause)];
  if (cause?.stack) parts.push(cause.stack);
  return parts.join('\n');
}

export default async function* junit(source) {
  const cases = [];
  const stack = [];
  const started = Date.now();
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:start') {
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
      continue;
    }
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const isSuite = data.details?.type === 'suite';
    const failureType = data.details?.error?.failureType;
    if (isSuite && (type === 'test:pass' || failureType === 'subtestsFailed')) continue;
    const file = data.file ? data.file.split('/').pop() : 'browser';
    const parents = stack.slice(0, data.nesting).filter(Boolean);
    cases.push({
      classname: [file, ...parents].join(' › '),
      name: data.name,
      time: (data.details?.duration_ms ?? 0) / 1000,
      skipped: Boolean(data.skip || data.todo),
      failure: type === 'test:fail' ? errorText(data.details?.error) || 'failed' : null,
    });
  }
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped && !c.failure).length;
  const total = (Date.now() - started) / 1000;
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n';
  xml += `  <testsuite name="browser" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${total.toFixed(3)}">\n`;
  for (const c of cases) {
    xml += `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="${c.time.toFixed(3)}"`;
    if (c.failure) {
      const first = c.failure.split('\n')[0];
      xml += `>\n      <failure message="${esc(first)}">${esc(c.failure)}</failure>\n    </testcase>\n`;
    } else if (c.skipped) {
      xml += '>\n      <skipped/>\n    </testcase>\n';
    } else {
      xml += '/>\n';
    }
  }
  xml += '  </testsuite>\n</testsuites>\n';
  yield xml;
}
