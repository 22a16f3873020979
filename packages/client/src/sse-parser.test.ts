import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sseParser } from './sse-parser.js';

function parse(chunks: string[]): string[] {
  const out: string[] = [];
  const feed = sseParser((data) => out.push(data));
  for (const chunk of chunks) feed(chunk);
  return out;
}

/** Every way of cutting `text` in two, plus one character at a time. */
function splits(text: string): string[][] {
  const all = [[text], [...text]];
  for (let i = 1; i < text.length; i++) all.push([text.slice(0, i), text.slice(i)]);
  return all;
}

const STREAM = 'id: 1\ndata: ["e",1,"a",null]\n\n: comment\nevent: x\ndata: ["e",2,"b",{"k":"v"}]\nretry: 10\n\ndata:["h",5]\n\n';
const EVENTS = ['["e",1,"a",null]', '["e",2,"b",{"k":"v"}]', '["h",5]'];

test('data fields are handed over at the blank line; other fields and comments skipped', () => {
  for (const chunks of splits(STREAM)) assert.deepEqual(parse(chunks), EVENTS, JSON.stringify(chunks));
});

test('CRLF and CR line endings, split anywhere, even between CR and LF', () => {
  for (const ending of ['\r\n', '\r']) {
    const text = STREAM.replaceAll('\n', ending);
    for (const chunks of splits(text)) assert.deepEqual(parse(chunks), EVENTS, JSON.stringify(chunks));
  }
});

test('several data lines join with LF; a lone "data" is an empty line; one space is stripped', () => {
  assert.deepEqual(parse(['data: a\ndata\ndata:  b\n\n']), ['a\n\n b']);
});

test('an event without a final blank line is not dispatched; blank lines alone dispatch nothing', () => {
  assert.deepEqual(parse(['\n\n\ndata: x\n']), []);
  assert.deepEqual(parse(['data: x\n', '\n']), ['x']);
});

test('field names must match exactly', () => {
  assert.deepEqual(parse(['datum: x\ndata: y\n\n']), ['y']);
});
