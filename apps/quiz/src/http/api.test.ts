/** The HTTP API over real sockets: host-only routes, quiz import and validation, CSV export, QR codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_PASSWORD, joinAs, quizClient, startTestApp, TestHost } from '../test-support/quiz-clients.js';
import type { LiveSummary, QuizSummary } from '../shared/protocol.js';

const markdown = `# Capitals
mode: speed

## Capital of Korea?
Answer: Seoul | 서울

## Capital of France?
- [ ] Lyon
- [x] Paris
time: 15
`;

test('quizzes: host only; import Markdown and JSON, edit, refuse bad files with every error, delete', { timeout: 20_000 }, async () => {
  const app = await startTestApp({ demo: false });
  const api = (path: string, init: RequestInit = {}, password: string | null = HOST_PASSWORD) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(password ? { authorization: `Bearer ${password}` } : {}), ...init.headers },
    });
  try {
    assert.equal((await api('/api/auth')).status, 204);
    for (const password of [null, 'wrong-password']) {
      const response = await api('/api/quizzes', {}, password);
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: 'the host password is missing or wrong' });
    }
    assert.deepEqual(await (await api('/api/quizzes')).json(), []);

    const created = await api('/api/quizzes', { method: 'POST', body: JSON.stringify({ format: 'markdown', text: markdown }) });
    assert.equal(created.status, 201);
    const summary = (await created.json()) as QuizSummary;
    assert.deepEqual({ ...summary, id: '', createdAt: 0 }, { id: '', title: 'Capitals', mode: 'speed', questionCount: 2, createdAt: 0 });

    const loaded = (await (await api(`/api/quizzes/${summary.id}`)).json()) as { file: { questions: unknown[] } };
    assert.deepEqual(loaded.file.questions[1], { type: 'choice', text: 'Capital of France?', options: ['Lyon', 'Paris'], answer: 1, timeLimitSeconds: 15 });

    const bad = await api('/api/quizzes', {
      method: 'POST',
      body: JSON.stringify({ format: 'json', text: JSON.stringify({ title: '', questions: [{ type: 'choice', text: 'Q', options: ['a'], answer: 3 }] }) }),
    });
    assert.equal(bad.status, 400);
    const error = (await bad.json()) as { error: string; details: string[] };
    assert.equal(error.error, 'the quiz is not valid');
    assert.ok(error.details.includes('title: title must not be empty'), error.details.join('\n'));
    assert.ok(error.details.some((d) => d.startsWith('questions[0].options: a choice question needs at least 2 options')));
    assert.ok(error.details.some((d) => d.startsWith('questions[0].answer: answer 3 is not an option index')));
    assert.equal((await api('/api/quizzes', { method: 'POST', body: '{"format":"yaml"}' })).status, 400);
    assert.equal((await api('/api/quizzes', { method: 'POST', body: '{not json' })).status, 400);

    const edited = await api(`/api/quizzes/${summary.id}`, {
      method: 'PUT',
      body: JSON.stringify({ format: 'value', quiz: { title: 'Capitals 2', questions: [{ type: 'short', text: 'Capital of Japan?', answers: ['Tokyo'] }] } }),
    });
    assert.equal(((await edited.json()) as QuizSummary).title, 'Capitals 2');

    const live = await api(`/api/quizzes/${summary.id}/live`, { method: 'POST' });
    assert.equal(live.status, 201);
    const liveSummary = (await live.json()) as LiveSummary;
    assert.match(liveSummary.code, /^[A-Z2-9]{6}$/);
    assert.equal((await api(`/api/quizzes/${summary.id}`, { method: 'DELETE' })).status, 409, 'a quiz with a live session stays');
    assert.deepEqual(
      ((await (await api('/api/live')).json()) as LiveSummary[]).map((l) => [l.code, l.title, l.phase, l.playerCount]),
      [[liveSummary.code, 'Capitals 2', 'before', 0]],
    );

    const other = (await (await api('/api/quizzes', { method: 'POST', body: JSON.stringify({ format: 'markdown', text: markdown }) })).json()) as QuizSummary;
    assert.equal((await api(`/api/quizzes/${other.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await api(`/api/quizzes/${other.id}`, { method: 'DELETE' })).status, 404);
  } finally {
    await app.dispose();
  }
});

test('join lookup and QR code are public; CSV exports are host only and hold the results', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const { code, liveId } = app.demo!;
  const host = new TestHost(quizClient(app.url));
  const { player } = await joinAs(app.url, code, 'Ana');
  try {
    const info = await (await fetch(`${app.url}/api/join/${code.toLowerCase()}`)).json();
    assert.deepEqual(info, { liveId, code, title: 'Cotato night: real-time problem solving', phase: 'before' });
    assert.equal((await fetch(`${app.url}/api/join/NOPE22`)).status, 404);

    const qr = await fetch(`${app.url}/qr/${code}.svg`);
    assert.equal(qr.headers.get('content-type'), 'image/svg+xml');
    assert.match(await qr.text(), /^<svg[^>]*viewBox/);
    assert.equal((await fetch(`${app.url}/qr/..%2Fetc.svg`)).status, 404);

    await host.hello(liveId);
    await host.command({ command: 'show', index: 0 });
    await host.command({ command: 'open' });
    await player.until((p) => p.state?.stage === 'open');
    await player.client.emitWithAck('submit', { questionIndex: 0, answer: 1, clientSubmissionId: 'a' });
    await player.client.emitWithAck('submit', { questionIndex: 0, answer: 2, clientSubmissionId: 'b' });
    await host.command({ command: 'close' });

    assert.equal((await fetch(`${app.url}/api/live/${liveId}/results.csv`)).status, 401);
    const results = await fetch(`${app.url}/api/live/${liveId}/results.csv`, { headers: { authorization: `Bearer ${HOST_PASSWORD}` } });
    assert.equal(results.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(results.headers.get('content-disposition')!, /attachment; filename="quiz-[A-Z2-9]{6}-results.csv"/);
    // UTF-8 with a byte order mark, so that Excel reads Korean; the question's text in the header.
    const resultsBytes = Buffer.from(await results.arrayBuffer());
    assert.deepEqual([...resultsBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = resultsBytes.subarray(3).toString('utf8').trim().split('\r\n');
    assert.match(rows[0], /^rank,nickname,wins,correct,points,Q1\. Which protocol keeps one TCP connection open for messages in both directions\?,Q2\. /);
    assert.equal(rows[1], '1,Ana,1,1,1,1,,,,,');
    const submissionsBytes = Buffer.from(await (await fetch(`${app.url}/api/live/${liveId}/submissions.csv`, { headers: { authorization: `Bearer ${HOST_PASSWORD}` } })).arrayBuffer());
    assert.deepEqual([...submissionsBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = submissionsBytes.subarray(3).toString('utf8').trim().split('\r\n');
    assert.equal(lines[0], 'ticket,received_at,question,question_text,nickname,answer,attempt,correct,reaction_ms,reaction_flag,removed_by_host');
    const question = 'Which protocol keeps one TCP connection open for messages in both directions?';
    // Options counted from 1, with their text; times in ISO 8601.
    assert.match(lines[1], new RegExp(`^1,\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z,1,${question.replace('?', '\\?')},Ana,2\\. HTTP long polling,1,no,,unsynced,no$`), 'an answer without a reaction time is ranked by arrival');
    assert.match(lines[2], /,Ana,3\. WebSocket,2,yes,,unsynced,no$/);
  } finally {
    player.client.close();
    host.client.close();
    await app.dispose();
  }
});
