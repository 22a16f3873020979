import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDistribution, DISTRIBUTION_TOP } from './distribution.js';
import type { ChoiceQuestion, ShortQuestion } from './quiz.js';

const choice: ChoiceQuestion = { kind: 'choice', text: 'Q', options: ['a', 'b', 'c'], correct: [1] };
const short: ShortQuestion = { kind: 'short', text: 'Q', accepted: ['Seoul'] };
const sub = (playerId: string, ticket: number, answer: number | string, correct = false) => ({ playerId, ticket, answer, correct });

test('a choice chart counts each player once, with their first answer (by ticket, whatever the order given)', () => {
  const chart = answerDistribution(choice, [sub('p1', 3, 1, true), sub('p1', 1, 0), sub('p2', 2, 1, true), sub('p3', 4, 2)]);
  assert.deepEqual(chart, { kind: 'choice', counts: [1, 1, 1], answered: 3 });
});

test('a choice chart of nobody is all zeros', () => {
  assert.deepEqual(answerDistribution(choice, []), { kind: 'choice', counts: [0, 0, 0], answered: 0 });
});

test('short answers are grouped as they are graded (case, spaces, width), most frequent first, the rest counted as others', () => {
  const subs = [sub('a', 1, 'Seoul', true), sub('b', 2, ' seoul ', true), sub('c', 3, 'ＳＥＯＵＬ', true), sub('d', 4, 'Busan'), sub('e', 5, 'busan')];
  for (let i = 0; i < DISTRIBUTION_TOP + 2; i++) subs.push(sub(`x${i}`, 10 + i, `city ${i}`));
  const chart = answerDistribution(short, subs);
  assert.equal(chart.kind, 'short');
  if (chart.kind !== 'short') return;
  assert.deepEqual(chart.top.slice(0, 2), [
    { answer: 'Seoul', count: 3, correct: true },
    { answer: 'Busan', count: 2, correct: false },
  ]);
  assert.equal(chart.top.length, DISTRIBUTION_TOP);
  assert.equal(chart.others, DISTRIBUTION_TOP + 2 - (DISTRIBUTION_TOP - 2));
  assert.equal(chart.answered, 5 + DISTRIBUTION_TOP + 2);
});
