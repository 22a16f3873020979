/**
 * The presenter screen's view: built from the players' state (what the room may see) plus the
 * lobby's numbers. Pure, like views.ts.
 */
import type { LiveSession } from '../domain/live-session.js';
import { PRESENTER_NICKNAMES, type PresenterState, type PublicState } from '../shared/protocol.js';
import type { Link, RoomIdentity } from './views.js';

export function presenterState(session: LiveSession, room: RoomIdentity, shown: PublicState, presence: (playerId: string) => Link): PresenterState {
  const nicknames: string[] = [];
  let onlineTotal = 0;
  for (const player of session.players) {
    if (presence(player.id).connected) onlineTotal++;
    if (nicknames.length < PRESENTER_NICKNAMES) nicknames.push(player.nickname);
  }
  const index = session.currentIndex;
  // Counted only once answers are open for the players: during a random delay nothing can arrive anyway.
  const answered = index === null || shown.stage === 'shown' || shown.stage === 'hidden' ? 0 : new Set(session.submissionsAt(index).map((x) => x.playerId)).size;
  return { public: shown, playerTotal: session.playerCount, onlineTotal, nicknames, answered, joinUrl: room.joinUrl };
}
