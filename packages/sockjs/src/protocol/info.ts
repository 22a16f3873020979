/** The `/info` answer: what the client needs to pick transports. */
export interface InfoOptions {
  websocket: boolean;
  cookieNeeded: boolean;
}

export function infoBody(options: InfoOptions, entropy: number): string {
  return JSON.stringify({ websocket: options.websocket, origins: ['*:*'], cookie_needed: options.cookieNeeded, entropy });
}
