import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCorrect, normalizeAnswer, type Question } from './quiz.js';
import { csvCell, toCsv } from './csv.js';
import { nicknameKey, validateNickname } from './nickname.js';

test('normalizeAnswer: NFKC, case-fold, spaces removed', () => {
  assert.equal(normalizeAnswer('  New   York '), 'newyork');
  assert.equal(normalizeAnswer('ＮＥＷ　ＹＯＲＫ'), 'newyork');
  assert.equal(normalizeAnswer('서울\t특별시'), '서울특별시');
});

test('isCorrect for short and choice questions', () => {
  const short: Question = { kind: 'short', text: 'Capital of Korea?', accepted: ['Seoul', '서울'] };
  assert.equal(isCorrect(short, 'seoul'), true);
  assert.equal(isCorrect(short, ' S E O U L '), true);
  assert.equal(isCorrect(short, '서 울'), true);
  assert.equal(isCorrect(short, 'Busan'), false);
  assert.equal(isCorrect(short, '   '), false);
  assert.equal(isCorrect(short, 'busan', ['BUSAN']), true);
  assert.equal(isCorrect(short, 1), false);
  const choice: Question = { kind: 'choice', text: '?', options: ['a', 'b', 'c'], correct: [0, 2] };
  assert.equal(isCorrect(choice, 0), true);
  assert.equal(isCorrect(choice, 2), true);
  assert.equal(isCorrect(choice, 1), false);
  assert.equal(isCorrect(choice, '0'), false);
});

test('nickname validation', () => {
  assert.deepEqual(validateNickname('  Kim  Minsu '), { ok: true, nickname: 'Kim Minsu' });
  assert.equal(validateNickname('김철수_99.x-y').ok, true);
  assert.equal(validateNickname('Ёжик').ok, true);
  assert.equal(validateNickname('').ok, false);
  assert.equal(validateNickname('   ').ok, false);
  assert.equal(validateNickname('a'.repeat(20)).ok, true);
  assert.equal(validateNickname('a'.repeat(21)).ok, false);
  assert.equal(validateNickname('가'.repeat(20)).ok, true);
  assert.equal(validateNickname('bad\u0000name').ok, false);
  assert.equal(validateNickname('tab\tname').ok, false);
  assert.equal(validateNickname('zero\u200bwidth').ok, false);
  assert.equal(validateNickname('<script>').ok, false);
  assert.equal(validateNickname(42).ok, false);
});

test('nickname uniqueness is case-insensitive', () => {
  assert.equal(nicknameKey('ALICE'), nicknameKey('alice'));
  assert.equal(nicknameKey('Ａｌｉｃｅ'), nicknameKey('alice'));
  assert.notEqual(nicknameKey('carol'), nicknameKey('alice'));
});

test('CSV escaping and formula-injection guard', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('line1\nline2'), '"line1\nline2"');
  assert.equal(csvCell('=SUM(A1:A2)'), "'=SUM(A1:A2)");
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@cmd'), "'@cmd");
  assert.equal(csvCell('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell(null), '');
  assert.equal(toCsv([['a', 1], ['b,c', 2]]), 'a,1\r\n"b,c",2\r\n');
});
