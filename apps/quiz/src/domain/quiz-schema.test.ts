import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuizJson, parseQuizMarkdown, parseQuizValue, toQuizFile } from './quiz-schema.js';

const good = {
  title: 'Cotato night',
  questions: [
    { type: 'choice', text: '2 + 2?', options: ['3', '4'], answer: 1 },
    { type: 'short', text: 'Capital of Korea?', answers: ['Seoul', '서울'], timeLimitSeconds: 30 },
  ],
};

test('JSON import: a good file', () => {
  const r = parseQuizJson(JSON.stringify(good));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.quiz.mode, 'cotato');
  assert.deepEqual(r.quiz.questions[0], { kind: 'choice', text: '2 + 2?', options: ['3', '4'], correct: [1] });
  assert.deepEqual(r.quiz.questions[1], { kind: 'short', text: 'Capital of Korea?', accepted: ['Seoul', '서울'], timeLimitMs: 30_000 });
});

test('JSON import: bad files give path + reason', () => {
  const notJson = parseQuizJson('{ title: ');
  assert.equal(notJson.ok, false);
  if (!notJson.ok) assert.match(notJson.errors[0], /^invalid JSON/);

  const bad = parseQuizJson(
    JSON.stringify({
      title: '',
      mode: 'fast',
      questions: [
        { type: 'choice', text: 'q', options: ['a', 'b'], answer: 5 },
        { type: 'short', text: 'q', answers: [] },
        { type: 'choice', text: 'q', options: Array.from({ length: 11 }, (_, i) => `o${i}`), answer: 0 },
        { type: 'essay', text: 'q' },
      ],
    }),
  );
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  const all = bad.errors.join('\n');
  assert.match(all, /^title: title must not be empty$/m);
  assert.match(all, /^mode: mode must be "cotato" or "speed"$/m);
  assert.match(all, /^questions\[0\]\.answer: answer 5 is not an option index \(0–1\)$/m);
  assert.match(all, /^questions\[1\]\.answers: a short question needs at least 1 accepted answer$/m);
  assert.match(all, /^questions\[2\]\.options: a choice question has at most 10 options$/m);
  assert.match(all, /^questions\[3\]/m);

  const tooMany = parseQuizJson(JSON.stringify({ title: 't', questions: Array.from({ length: 201 }, () => good.questions[0]) }));
  assert.equal(tooMany.ok, false);
  if (!tooMany.ok) assert.deepEqual(tooMany.errors, ['questions: a quiz has at most 200 questions']);

  const typo = parseQuizJson(JSON.stringify({ ...good, titel: 'x' }));
  assert.equal(typo.ok, false);
  if (!typo.ok) assert.match(typo.errors[0], /titel/);
});

const md = `# Cotato night
mode: speed

## Which is a prime?
- [ ] 4
- [x] 7
- [x] 11
time: 15

## Capital of Korea?
Write it in any language.
Answer: Seoul | 서울
`;

test('Markdown import: a good file', () => {
  const r = parseQuizMarkdown(md);
  assert.equal(r.ok, true, r.ok ? '' : r.errors.join('\n'));
  if (!r.ok) return;
  assert.deepEqual(r.quiz, {
    title: 'Cotato night',
    mode: 'speed',
    questions: [
      { kind: 'choice', text: 'Which is a prime?', options: ['4', '7', '11'], correct: [1, 2], timeLimitMs: 15_000 },
      { kind: 'short', text: 'Capital of Korea?\nWrite it in any language.', accepted: ['Seoul', '서울'] },
    ],
  });
});

test('Markdown import: bad files name the line', () => {
  const r = parseQuizMarkdown('stray text\n## Q1\n- [ ] a\n- [ ] b\n## Q2\n- [x] a\nAnswer: b\n## Q3\ntime: soon\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  // Every problem, the schema's too, in file order.
  assert.deepEqual(r.errors, [
    'line 1: text before the first question (start one with "## ")',
    'line 2: no option is marked correct with "[x]"',
    'line 5: questions[0].options: a choice question needs at least 2 options',
    'line 7: a question has either options or "answer:", not both',
    'line 8: question has no options ("- [x] …") and no "answer:" line',
    'line 9: "time:" needs a number of seconds',
    'missing "# Title" line',
  ]);
  const limits = parseQuizMarkdown('# T\n## Q\n- [x] only one\n');
  assert.equal(limits.ok, false);
  if (!limits.ok) assert.deepEqual(limits.errors, ['line 2: questions[0].options: a choice question needs at least 2 options']);
});

test('toQuizFile is the inverse of parsing a quiz file', () => {
  const file = {
    title: 'Round trip',
    mode: 'speed',
    questions: [
      { type: 'choice', text: 'One?', options: ['a', 'b'], answer: 1, timeLimitSeconds: 15 },
      { type: 'choice', text: 'Both?', options: ['a', 'b', 'c'], answer: [0, 2] },
      { type: 'short', text: 'Say hi', answers: ['hi', 'hello'] },
    ],
  };
  const parsed = parseQuizValue(file);
  assert.ok(parsed.ok);
  assert.deepEqual(toQuizFile(parsed.quiz), file);
});

test('ranking rule and false-start penalty: parsed from JSON and Markdown, checked, and written back', () => {
  const json = parseQuizJson(JSON.stringify({ title: 'F', ranking: 'reaction', falseStartPenaltySeconds: 2.5, questions: [{ type: 'short', text: 'q', answers: ['a'] }] }));
  assert.ok(json.ok);
  assert.equal(json.quiz.ranking, 'reaction');
  assert.equal(json.quiz.falseStartPenaltyMs, 2500);
  assert.deepEqual(parseQuizValue(toQuizFile(json.quiz)), json);
  const md = parseQuizMarkdown('# F\nranking: reaction\n## q\nanswer: a\n');
  assert.ok(md.ok && md.quiz.ranking === 'reaction');
  const bad = parseQuizJson(JSON.stringify({ title: 'F', ranking: 'vibes', falseStartPenaltySeconds: 61, questions: [{ type: 'short', text: 'q', answers: ['a'] }] }));
  assert.deepEqual(bad.ok ? [] : bad.errors, ['ranking: ranking must be "arrival" or "reaction"', 'falseStartPenaltySeconds: falseStartPenaltySeconds must be at most 60']);
  const plain = parseQuizJson(JSON.stringify({ title: 'F', questions: [{ type: 'short', text: 'q', answers: ['a'] }] }));
  assert.ok(plain.ok && !('ranking' in plain.quiz), 'arrival stays the default, unwritten');
});

test('Markdown import reports every problem at once, each with its line, in file order', () => {
  const source = [
    '# Several mistakes', // 1
    '', // 2
    '## First question has one option only', // 3
    '- [x] only', // 4
    '', // 5
    '## Second has no answer at all', // 6
    '', // 7
    '## Third is fine', // 8
    'Answer: yes', // 9
    '', // 10
    '## Fourth has an option too long', // 11
    `- [x] ${'x'.repeat(300)}`, // 12
    '- [ ] short', // 13
    'time: soon', // 14
  ].join('\n');
  const result = parseQuizMarkdown(source);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.errors.map((e) => /^line (\d+):/.exec(e)?.[1]),
    ['3', '6', '11', '14'],
    result.errors.join('\n'),
  );
  assert.match(result.errors[0], /at least 2 options/);
  assert.match(result.errors[1], /no options .* and no "answer:" line/);
  assert.match(result.errors[2], /at most 200 characters/);
  assert.match(result.errors[3], /"time:" needs a number of seconds/);
});

test('maxAttempts: optional, a whole number from 1 to 100, in JSON and as "attempts:" in Markdown', () => {
  const json = parseQuizValue({ ...good, maxAttempts: 5 });
  assert.equal(json.ok && json.quiz.maxAttempts, 5);
  assert.equal(json.ok && toQuizFile(json.quiz).maxAttempts, 5);
  const none = parseQuizValue(good);
  assert.equal(none.ok && 'maxAttempts' in none.quiz, false);
  for (const [value, message] of [
    [0, 'maxAttempts: maxAttempts must be at least 1'],
    [101, 'maxAttempts: maxAttempts must be at most 100'],
    [2.5, 'maxAttempts: maxAttempts must be a whole number'],
  ] as const) {
    const bad = parseQuizValue({ ...good, maxAttempts: value });
    assert.deepEqual(bad.ok ? [] : bad.errors, [message]);
  }
  const md = parseQuizMarkdown('# T\nattempts: 7\n\n## Q?\nanswer: a\n');
  assert.equal(md.ok && md.quiz.maxAttempts, 7);
  const badMd = parseQuizMarkdown('# T\nattempts: many\n\n## Q?\nanswer: a\n');
  assert.deepEqual(badMd.ok ? [] : badMd.errors, ['line 2: "attempts:" needs a whole number']);
  const both = parseQuizMarkdown('# T\nattempts: 3\nranking: reaction\n\n## Q?\nanswer: a\n');
  assert.ok(both.ok && both.quiz.maxAttempts === 3 && both.quiz.ranking === 'reaction', 'attempts and ranking together');
});
