/**
 * Raw HTTP against the reference server (sockjs 0.3.24) and ours, request for request: same status,
 * content type, body and the headers SockJS clients and proxies read. Cases follow the official
 * protocol suite (sockjs-protocol-0.3.3.py).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { fetchRaw, type Answer, type RequestOptions } from './test-support/http.js';
import { startOurs, startReference, type RunningServer } from './test-support/servers.js';

let ours: RunningServer;
let theirs: RunningServer;

before(async () => {
  [ours, theirs] = await Promise.all([startOurs(), startReference()]);
});
after(async () => {
  await Promise.all([ours.close(), theirs.close()]);
});

const COMPARED_HEADERS = ['content-type', 'cache-control', 'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'allow', 'set-cookie', 'etag', 'vary', 'x-content-type-options'];

function comparable(answer: Answer, bodyOf: (body: string) => unknown): object {
  const headers: Record<string, unknown> = {};
  for (const name of COMPARED_HEADERS) headers[name] = answer.headers[name];
  headers.expires = answer.headers.expires === undefined ? 'absent' : 'present';
  return { status: answer.status, headers, body: shortened(bodyOf(answer.body)) };
}

/** Long bodies compare by length, head and hash, so a failure message stays readable. */
function shortened(body: unknown): unknown {
  if (typeof body !== 'string' || body.length <= 300) return body;
  return `${JSON.stringify(body.slice(0, 120))}… (${body.length} chars, sha1 ${createHash('sha1').update(body).digest('hex')})`;
}

/** Sends one request to both servers; they must answer alike. Returns our answer. */
async function same(method: string, path: string, options: RequestOptions = {}, bodyOf: (body: string) => unknown = (body) => body): Promise<Answer> {
  const [mine, reference] = await Promise.all([fetchRaw(ours.port, method, path, options), fetchRaw(theirs.port, method, path, options)]);
  assert.deepEqual(comparable(mine, bodyOf), comparable(reference, bodyOf), `${method} ${path}`);
  return mine;
}

/** Runs a request sequence on both servers (each with its own session id); transcripts must match. */
async function sameFlow(flow: (port: number, session: string) => Promise<Answer[]>, bodyOf: (body: string) => unknown = (body) => body): Promise<Answer[]> {
  const [mine, reference] = await Promise.all([flow(ours.port, randomUUID()), flow(theirs.port, randomUUID())]);
  assert.deepEqual(mine.map((answer) => comparable(answer, bodyOf)), reference.map((answer) => comparable(answer, bodyOf)));
  return mine;
}

const xhrSend = (port: number, path: string, body: string, headers: Record<string, string> = {}) => fetchRaw(port, 'POST', path + '/xhr_send', { body, headers: { 'Content-Type': 'text/plain', ...headers } });

describe('base URL and unknown paths', () => {
  test('greeting with and without the slash', async () => {
    for (const path of ['/echo', '/echo/']) {
      const answer = await same('GET', path);
      assert.equal(answer.body, 'Welcome to SockJS!\n');
    }
  });
  test('paths under the prefix that are nothing answer 404', async () => {
    for (const path of ['/echo/a', '/echo/a.html', '/echo//', '/echo///', '/echo/a/a', '/echo/a/a/', '/echo/a', '/echo/a/'] ) {
      assert.equal((await same('GET', path)).status, 404, path);
    }
  });
  test('a path matched with another method answers 405 with what it allows', async () => {
    assert.equal((await same('POST', '/echo')).status, 405);
    assert.equal((await same('PUT', '/echo/info')).headers.allow, 'OPTIONS, GET');
    assert.equal((await same('GET', '/echo/a/a/xhr')).headers.allow, 'POST, OPTIONS');
    assert.equal((await same('DELETE', '/echo/a/a/xhr_send')).status, 405);
  });
});

describe('chunking test', () => {
  test('preflight, and the first chunks of the timed response', async () => {
    assert.equal((await same('OPTIONS', '/echo/chunking_test')).status, 204);
    const answer = await same('POST', '/echo/chunking_test', { until: (body) => body.endsWith(' h\n') });
    assert.equal(answer.body, 'h\n' + ' '.repeat(2048) + 'h\n');
  });
});

describe('iframe page', () => {
  test('versioned URLs serve the page with ETag and a year of caching', async () => {
    for (const path of ['/echo/iframe.html', '/echo/iframe-a.html', '/echo/iframe-.html', '/echo/iframe-0.1.2.html', '/echo/iframe-0.1.2abc-dirty.2144.html']) {
      const answer = await same('GET', path);
      assert.equal(answer.status, 200);
      assert.match(answer.body, /SockJS\.bootstrap_iframe\(\)/);
      assert.equal(answer.headers['cache-control'], 'public, max-age=31536000');
    }
  });
  test('other names are 404', async () => {
    for (const path of ['/echo/iframe.htm', '/echo/iframe', '/echo/IFRAME.HTML', '/echo/IFRAME', '/echo/iframe.HTML', '/echo/iframe.xml', '/echo/iframe-/.html']) {
      assert.equal((await same('GET', path)).status, 404, path);
    }
  });
  test('a matching If-None-Match answers 304 without a body', async () => {
    const { headers } = await same('GET', '/echo/iframe.html');
    const answer = await same('GET', '/echo/iframe.html', { headers: { 'If-None-Match': String(headers.etag) } });
    assert.equal(answer.status, 304);
    assert.equal(answer.body, '');
  });
});

describe('/info', () => {
  const withoutEntropy = (body: string): unknown => {
    const { entropy, ...rest } = JSON.parse(body) as { entropy: number };
    assert.ok(Number.isInteger(entropy) && entropy >= 0 && entropy < 2 ** 32);
    return rest;
  };
  test('GET on every prefix, with and without Origin', async () => {
    for (const prefix of ['/echo', '/disabled_websocket_echo', '/cookie_needed_echo']) {
      await same('GET', prefix + '/info', {}, withoutEntropy);
      await same('GET', prefix + '/info', { headers: { Origin: 'http://example.com', 'Access-Control-Request-Headers': 'a, b' } }, withoutEntropy);
    }
    const info = JSON.parse((await fetchRaw(ours.port, 'GET', '/cookie_needed_echo/info')).body) as object;
    assert.deepEqual({ ...info, entropy: 0 }, { websocket: true, origins: ['*:*'], cookie_needed: true, entropy: 0 });
    assert.equal(JSON.parse((await fetchRaw(ours.port, 'GET', '/disabled_websocket_echo/info')).body).websocket, false);
  });
  test('entropy differs between answers', async () => {
    const entropies = new Set<number>();
    for (let i = 0; i < 5; i++) entropies.add(JSON.parse((await fetchRaw(ours.port, 'GET', '/echo/info')).body).entropy);
    assert.ok(entropies.size > 1);
  });
  test('OPTIONS preflight', async () => {
    for (const prefix of ['/echo', '/cookie_needed_echo']) {
      const answer = await same('OPTIONS', prefix + '/info', { headers: { Origin: 'http://example.com' } });
      assert.equal(answer.status, 204);
      assert.equal(answer.headers['access-control-allow-methods'], 'OPTIONS, GET');
    }
  });
});

describe('session URLs', () => {
  test('server and session ids may be anything but empty or containing a dot', async () => {
    for (const path of ['/echo/a./a/xhr', '/echo/.a/a/xhr', '/echo/a/a./xhr', '/echo/a/.a/xhr', '/echo//a/xhr', '/echo/a//xhr', '/echo/a/a/a/xhr']) {
      assert.equal((await same('POST', path)).status, 404, path);
    }
  });
  test('a session opens, takes messages and hands them back; the server id does not matter', async () => {
    const answers = await sameFlow(async (port, session) => [
      await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`),
      await xhrSend(port, `/echo/000/${session}`, '["a"]'),
      await fetchRaw(port, 'POST', `/echo/999/${session}/xhr`),
    ]);
    assert.deepEqual(answers.map((answer) => [answer.status, answer.body]), [[200, 'o\n'], [204, ''], [200, 'a["a"]\n']]);
  });
});

describe('protocol', () => {
  test('a closed session answers c[3000,"Go away!"] to every poll until it expires', async () => {
    const answers = await sameFlow(async (port, session) => [
      await fetchRaw(port, 'POST', `/close/000/${session}/xhr`),
      await fetchRaw(port, 'POST', `/close/000/${session}/xhr`),
      await fetchRaw(port, 'POST', `/close/000/${session}/xhr`),
    ]);
    assert.deepEqual(answers.map((answer) => answer.body), ['o\n', 'c[3000,"Go away!"]\n', 'c[3000,"Go away!"]\n']);
  });
  test('a second receiving request gets c[2010,"Another connection still open"] and the first goes on', async () => {
    const answers = await sameFlow(async (port, session) => {
      const first = [await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`)];
      const waiting = fetchRaw(port, 'POST', `/echo/000/${session}/xhr`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`);
      await xhrSend(port, `/echo/000/${session}`, '["x"]');
      return [...first, second, await waiting];
    });
    assert.deepEqual(answers.map((answer) => answer.body), ['o\n', 'c[2010,"Another connection still open"]\n', 'a["x"]\n']);
  });
});

describe('xhr_send errors', () => {
  test('unknown session 404, bad bodies 500 with the reference text, good content types 204', async () => {
    assert.equal((await same('POST', '/echo/000/nosuchsession/xhr_send', { body: '["x"]' })).status, 404);
    const answers = await sameFlow(async (port, session) => [
      await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`),
      await xhrSend(port, `/echo/000/${session}`, ''),
      await xhrSend(port, `/echo/000/${session}`, '["x'),
      await xhrSend(port, `/echo/000/${session}`, '{"a":1}'),
      await xhrSend(port, `/echo/000/${session}`, '["x"]', { 'Content-Type': 'application/octet-stream' }),
      ...(await Promise.all(['text/plain', 'T', 'application/json', 'application/xml', 'text/xml', 'application/json; charset=utf-8'].map((type) => xhrSend(port, `/echo/000/${session}`, '["x"]', { 'Content-Type': type })))),
      await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`),
    ]);
    assert.deepEqual(answers.slice(1, 5).map((answer) => [answer.status, answer.body]), [[500, 'Payload expected.'], [500, 'Broken JSON encoding.'], [500, 'Payload expected.'], [500, 'Payload expected.']]);
    assert.equal(answers.at(-1)?.body, 'a["x","x","x","x","x","x"]\n');
  });
  test('preflights for xhr, xhr_send, xhr_streaming', async () => {
    for (const transport of ['xhr', 'xhr_send', 'xhr_streaming']) {
      const answer = await same('OPTIONS', `/echo/abc/abc/${transport}`, { headers: { Origin: 'http://example.com', 'Access-Control-Request-Headers': 'Content-Type' } });
      assert.equal(answer.status, 204);
      assert.equal(answer.headers['access-control-allow-headers'], 'Content-Type');
    }
  });
});

describe('streaming transports', () => {
  test('xhr_streaming: 2 KiB prelude, frames, and the response ends at response_limit (4096)', async () => {
    const answers = await sameFlow(async (port, session) => {
      const stream = fetchRaw(port, 'POST', `/echo/000/${session}/xhr_streaming`, { headers: { Origin: 'http://example.com' } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await xhrSend(port, `/echo/000/${session}`, JSON.stringify(['x'.repeat(4096)]));
      const ended = await stream;
      // The session outlives the response: the next request picks up what came meanwhile.
      await xhrSend(port, `/echo/000/${session}`, '["after"]');
      return [ended, await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`)];
    });
    assert.equal(answers[0].body, 'h'.repeat(2048) + '\no\n' + 'a["' + 'x'.repeat(4096) + '"]\n');
    assert.equal(answers[1].body, 'a["after"]\n');
  });
  test('eventsource: prelude, escaped data lines, ends at response_limit', async () => {
    const answers = await sameFlow(async (port, session) => {
      const stream = fetchRaw(port, 'GET', `/echo/000/${session}/eventsource`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await xhrSend(port, `/echo/000/${session}`, JSON.stringify(['%\r\n\u0000', 'y'.repeat(4096)]));
      return [await stream];
    });
    assert.equal(answers[0].body, '\r\ndata: o\r\n\r\ndata: a["%25\\r\\n\\u0000"]\r\n\r\ndata: a["' + 'y'.repeat(4096) + '"]\r\n\r\n');
  });
  test('htmlfile: callback checks, 1 KiB padded prelude, script frames', async () => {
    assert.equal((await same('GET', '/echo/000/abc/htmlfile')).body, '"callback" parameter required');
    assert.equal((await same('GET', '/echo/000/abc/htmlfile?c=%3Cscript%3E')).body, 'invalid "callback" parameter');
    const answers = await sameFlow(async (port, session) => {
      const stream = fetchRaw(port, 'GET', `/echo/000/${session}/htmlfile?c=callback_` + 'x'.repeat(40));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await xhrSend(port, `/echo/000/${session}`, JSON.stringify(['z'.repeat(4096)]));
      return [await stream];
    });
    assert.match(answers[0].body, /var c = parent\.callback_x{40};/);
    assert.ok(answers[0].body.includes('<script>\np("o");\n</script>\r\n'));
  });
});

describe('jsonp', () => {
  test('callback required, validated, at most 32 characters', async () => {
    assert.equal((await same('GET', '/echo/000/abc/jsonp')).body, '"callback" parameter required');
    assert.equal((await same('GET', '/echo/000/abc/jsonp?c=%3Cscript%3E')).body, 'invalid "callback" parameter');
    assert.equal((await same('GET', '/echo/000/abc/jsonp?c=' + 'a'.repeat(33))).body, 'invalid "callback" parameter');
  });
  test('polling and jsonp_send as form and raw body', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const answers = await sameFlow(async (port, session) => [
      await fetchRaw(port, 'GET', `/echo/000/${session}/jsonp?c=x.y`),
      await fetchRaw(port, 'POST', `/echo/000/${session}/jsonp_send`, { headers: form, body: 'd=' + encodeURIComponent('["a","\\u2028"]') }),
      await fetchRaw(port, 'POST', `/echo/000/${session}/jsonp_send`, { headers: { 'Content-Type': 'text/plain' }, body: '["b"]' }),
      await fetchRaw(port, 'POST', `/echo/000/${session}/jsonp_send`, { headers: form, body: 'd=' }),
      await fetchRaw(port, 'POST', `/echo/000/${session}/jsonp_send`, { headers: form, body: 'd=%5B' }),
      await fetchRaw(port, 'POST', `/echo/000/${session}/jsonp_send`, { headers: form, body: 'e=1' }),
      await fetchRaw(port, 'GET', `/echo/000/${session}/jsonp?callback=cb`),
    ]);
    assert.deepEqual(answers.map((answer) => [answer.status, answer.body]), [
      [200, '/**/x.y("o");\r\n'],
      [200, 'ok'],
      [200, 'ok'],
      [500, 'Payload expected.'],
      [500, 'Broken JSON encoding.'],
      [500, 'Payload expected.'],
      [200, '/**/cb("a[\\"a\\",\\"\\\\u2028\\",\\"b\\"]");\r\n'],
    ]);
    assert.equal((await same('POST', '/echo/000/nosuchsession/jsonp_send', { headers: form, body: 'd=%5B%22x%22%5D' })).status, 404);
  });
});

describe('JSESSIONID', () => {
  test('set to "dummy", or echoed when the client has one, on every session request and preflight', async () => {
    const answers = await sameFlow(async (port, session) => [
      await fetchRaw(port, 'POST', `/cookie_needed_echo/000/${session}/xhr`),
      await fetchRaw(port, 'POST', `/cookie_needed_echo/000/${session}/xhr_send`, { body: '["a"]', headers: { Cookie: 'JSESSIONID=abcdef; other=1' } }),
      await fetchRaw(port, 'OPTIONS', `/cookie_needed_echo/000/${session}/xhr`),
      await fetchRaw(port, 'OPTIONS', '/cookie_needed_echo/info'),
    ]);
    assert.deepEqual(answers.map((answer) => answer.headers['set-cookie']), [['JSESSIONID=dummy; path=/'], ['JSESSIONID=abcdef; path=/'], ['JSESSIONID=dummy; path=/'], ['JSESSIONID=dummy; path=/']]);
    assert.equal((await same('POST', `/echo/000/${randomUUID()}/xhr`)).headers['set-cookie'], undefined);
  });
});

describe('WebSocket URLs over plain HTTP', () => {
  test('GET without upgrade 400, POST 405, disabled WebSocket 404 cached', async () => {
    for (const path of ['/echo/000/abc/websocket', '/echo/websocket']) {
      assert.equal((await same('GET', path)).body, 'Not a valid websocket request');
      assert.equal((await same('GET', path, { headers: { Upgrade: 'WebSocket', Connection: 'close' } })).status, 400);
      assert.equal((await same('POST', path)).status, 405);
    }
    for (const path of ['/disabled_websocket_echo/000/abc/websocket', '/disabled_websocket_echo/websocket']) {
      const answer = await same('GET', path);
      assert.equal(answer.status, 404);
      assert.equal(answer.headers['cache-control'], 'public, max-age=31536000');
    }
  });
});

describe('unicode', () => {
  test('every code unit the reference escapes comes back byte-identical over xhr polling', async () => {
    const ranges: [number, number][] = [[0x00, 0x1f], [0x7f, 0x9f], [0xad, 0xad], [0x200c, 0x200f], [0x2028, 0x202f], [0x2060, 0x206f], [0xfeff, 0xfeff], [0xfff0, 0xffff]];
    const messages = ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => 'x' + String.fromCharCode(from + i)));
    messages.push('\ud83d\ude00', 'héllo wörld', '\ud800', '\udfff');
    const answers = await sameFlow(async (port, session) => [
      await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`),
      await xhrSend(port, `/echo/000/${session}`, JSON.stringify(messages)),
      await fetchRaw(port, 'POST', `/echo/000/${session}/xhr`),
    ]);
    assert.deepEqual(JSON.parse(answers[2].body.slice(1)), messages);
    assert.match(answers[2].body, /\\u2028/);
  });
});
