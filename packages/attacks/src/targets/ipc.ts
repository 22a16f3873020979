/** The target side of the IPC channel: reports (ready, close codes) and answers to queries. */

export type TargetReport = { type: 'ready'; port: number } | { type: 'close'; code: number; reason: string; remotePort?: number } | { type: 'answer'; id: number; value: unknown };

export function reportToParent(report: TargetReport): void {
  process.send?.(report);
}

/** Answers the parent's `{ type: 'query', id, query }` messages; the channel closing ends the target. */
export function onParentRequest(answer: (query: string) => unknown): void {
  process.on('message', (message: { type: string; id: number; query: string }) => {
    if (message.type === 'query') reportToParent({ type: 'answer', id: message.id, value: answer(message.query) ?? null });
  });
  process.on('disconnect', () => process.exit(0));
}
