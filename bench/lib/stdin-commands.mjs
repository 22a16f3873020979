// The commands a load generator's runner sends it on stdin ("go", "close"), one per line.
import readline from 'node:readline';

const lines = [];
let waiter = null;
let listening = false;

/** Resolves true when the runner sends `word` (now or already), false after `maxS` seconds. */
export function waitLine(word, maxS) {
  if (!listening) {
    listening = true;
    readline.createInterface({ input: process.stdin }).on('line', (l) => {
      lines.push(l.trim());
      if (waiter) waiter();
    });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), maxS * 1000);
    const check = () => {
      const i = lines.indexOf(word);
      if (i !== -1) { lines.splice(i, 1); clearTimeout(timer); waiter = null; resolve(true); }
    };
    waiter = check;
    check();
  });
}
