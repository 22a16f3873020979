/**
 * A bystander in a process of its own (forked by bystander.ts): its round trips are timed on an
 * event loop that does nothing else, so they measure the server, not the attacker's own work.
 * Asks from the parent: `done` (wait for round trips), `baseline` (wait, report and forget), `stop`.
 */
import { startBystander, type Bystander, type BystanderSpec } from './bystander-loops.js';

type Ask = { id: number; ask: 'done'; count: number; timeoutMs: number } | { id: number; ask: 'baseline'; count: number } | { id: number; ask: 'stop' };

const spec = JSON.parse(process.argv[2] ?? '{}') as BystanderSpec;
process.on('disconnect', () => process.exit(0));

let bystander: Bystander;
try {
  bystander = await startBystander(spec);
} catch (error) {
  process.send!({ type: 'failed', message: (error as Error).message });
  process.exit(1);
}
process.on('message', async (message: Ask) => {
  try {
    let value: unknown = null;
    if (message.ask === 'done') await bystander.roundTripsDone(message.count, message.timeoutMs);
    else if (message.ask === 'baseline') {
      await bystander.roundTripsDone(message.count);
      value = bystander.report();
      bystander.reset();
    } else value = await bystander.stop();
    process.send!({ type: 'answer', id: message.id, value });
  } catch (error) {
    process.send!({ type: 'answer', id: message.id, error: (error as Error).message });
  }
});
process.send!({ type: 'ready' });
