import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NicknameFilter, parseWordList } from './nickname-filter.js';

test('a nickname containing a listed word is blocked, whatever its case, width, spacing or punctuation', () => {
  const filter = new NicknameFilter(['bad', '바보']);
  for (const nickname of ['bad', 'BAD guy', 'b.a d', 'ｂａｄ', 'the_bad_one', '나는바보', '바 보']) assert.equal(filter.blocks(nickname), true, nickname);
  for (const nickname of ['good', 'ba d'.replace(' ', '-x-'), '바다']) assert.equal(filter.blocks(nickname), false, nickname);
});

test('no words: nothing is blocked; a file of words skips blank lines and # comments', () => {
  assert.equal(new NicknameFilter([]).blocks('anything'), false);
  assert.deepEqual(parseWordList('# our list\r\n\nbad\n  \n 욕설 \n'), ['bad', '욕설']);
  const filter = new NicknameFilter(parseWordList('# our list\n\nbad\n  \n욕설\n'));
  assert.equal(filter.size, 2);
  assert.equal(filter.blocks('욕설왕'), true);
  assert.equal(new NicknameFilter(['   ', '..']).size, 0, 'a word of only spaces or punctuation would block everyone');
});
