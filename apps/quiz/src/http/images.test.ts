/** Pictures over real sockets: host-only upload, the type told by the bytes, the size limit, read-only serving, quizzes that refer to them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE_MAX_BYTES } from '../domain/image-type.js';
import { HOST_PASSWORD, joinAs, startTestApp, TestHost, quizClient } from '../test-support/quiz-clients.js';
import { TINY_PNG } from '../test-support/images.js';
import type { ImageUploaded, QuizSummary } from '../shared/protocol.js';

test('pictures: host only, type checked by the bytes, at most IMAGE_MAX_BYTES, served with nosniff; quizzes and players get them', { timeout: 30_000 }, async () => {
  const app = await startTestApp({ demo: false });
  const upload = (body: Buffer, type: string, password: string | null = HOST_PASSWORD) =>
    fetch(`${app.url}/api/images`, { method: 'POST', headers: { 'content-type': type, ...(password ? { authorization: `Bearer ${password}` } : {}) }, body });
  try {
    assert.equal((await upload(TINY_PNG, 'image/png', null)).status, 401);
    assert.equal((await upload(TINY_PNG, 'image/png', 'wrong')).status, 401);
    // Not what it says it is, a type that can carry script, and one byte too many.
    assert.equal((await upload(Buffer.from('<html>not a picture</html>'), 'image/png')).status, 415);
    assert.equal((await upload(TINY_PNG, 'image/jpeg')).status, 415, 'a PNG declared as JPEG');
    assert.equal((await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml')).status, 415);
    const tooLarge = Buffer.concat([TINY_PNG, Buffer.alloc(IMAGE_MAX_BYTES + 1 - TINY_PNG.length)]);
    assert.equal((await upload(tooLarge, 'image/png')).status, 413);

    const created = await upload(TINY_PNG, 'image/png');
    assert.equal(created.status, 201);
    const image = (await created.json()) as ImageUploaded;
    const served = await fetch(`${app.url}${image.url}`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), TINY_PNG);
    assert.equal((await fetch(`${app.url}/media/00000000-0000-0000-0000-000000000000`)).status, 404);
    assert.equal((await fetch(`${app.url}/media/..%2F..%2Fetc`)).status, 404);

    // A quiz refers to pictures by id, for a question and for its options; a malformed id is refused.
    const quiz = (question: Record<string, unknown>) => ({ format: 'value', quiz: { title: 'Pictures', questions: [{ type: 'choice', text: 'Which?', options: ['a', 'b'], answer: 1, ...question }] } });
    const save = (body: unknown) =>
      fetch(`${app.url}/api/quizzes`, { method: 'POST', headers: { authorization: `Bearer ${HOST_PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await save(quiz({ image: '../x', optionImages: [null] }));
    assert.equal(bad.status, 400);
    const details = ((await bad.json()) as { details: string[] }).details;
    assert.ok(details.some((line) => /image must be an image id/.test(line)), details.join('\n'));
    assert.ok(details.some((line) => /one entry per option/.test(line)), details.join('\n'));
    const saved = await save(quiz({ image: image.id, optionImages: [null, image.id] }));
    assert.equal(saved.status, 201);
    const { id: quizId } = (await saved.json()) as QuizSummary;

    const live = await fetch(`${app.url}/api/quizzes/${quizId}/live`, { method: 'POST', headers: { authorization: `Bearer ${HOST_PASSWORD}` } });
    const { id: liveId, code } = (await live.json()) as { id: string; code: string };
    const host = new TestHost(quizClient(app.url));
    await host.hello(liveId);
    const { player } = await joinAs(app.url, code, 'Ana');
    await host.command({ command: 'show', index: 0 });
    const state = await player.until((p) => p.state?.question !== null && p.state?.question !== undefined);
    assert.equal(state.state!.question!.image, image.url);
    assert.deepEqual(state.state!.question!.optionImages, [null, image.url]);
    player.client.close();
    host.client.close();
  } finally {
    await app.dispose();
  }
});
