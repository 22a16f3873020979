/**
 * The quiz over baro: who each session is (a player's seat or a host), which rooms it is in, and
 * the events of `shared/protocol.ts`. Rooms: `players:<liveId>`, `seat:<liveId>:<playerId>`,
 * `host:<liveId>` and `presenter:<liveId>` (a presenter is in the players' room too). Who is in
 * them comes from baro's presence: a seated page is a member of `players:<liveId>` with info
 * `{ playerId }`, and of its seat's room.
 */
import { ClockResponder, PresenceMirror, type BaroServer, type SessionOf } from 'baro';
import type { Failure, HostHello, JoinReply, JoinRequest, QuizEvents } from '../shared/protocol.js';
import { AddressBuckets, retryAfterSeconds } from './address-buckets.js';
import type { HostAuth } from './host-auth.js';
import type { LiveRoom, RoomOutlet } from './live-room.js';
import type { LiveRooms } from './live-rooms.js';
import type { Link } from './views.js';

export type QuizServer = BaroServer<QuizEvents>;
type QuizSession = SessionOf<QuizEvents>;

/** Players are pinged in this many slices, one per tick, spread over the ping interval. */
const PING_SLICES = 10;

const seatRoom = (liveId: string, playerId: string): string => `seat:${liveId}:${playerId}`;
const playersRoom = (liveId: string): string => `players:${liveId}`;
const hostRoom = (liveId: string): string => `host:${liveId}`;
const presenterRoom = (liveId: string): string => `presenter:${liveId}`;

const SERVER_ERROR = { ok: false, error: 'the server could not do this: try again' } as const;

interface Seat {
  room: LiveRoom;
  playerId: string;
}

export interface RealtimeOptions {
  /** How often each player is pinged to measure their round trip. Default 5 s. */
  pingIntervalMs?: number;
  /** The game clock the pages sync to (the rooms' clock). Default `Date.now`. */
  now?: () => number;
  /** Joins (new seats) one address may ask for a minute, and in a burst. Default 120. */
  joinsPerMinute?: number;
  /** Pages (baro sessions) seated on one seat at once; one more takes over from the oldest. Default 3. */
  sessionsPerSeat?: number;
  /** Where lookups of join codes that do not exist are counted, shared with the HTTP API. */
  unknownCodes?: AddressBuckets;
}

export const DEFAULT_JOINS_PER_MINUTE = 120;
export const DEFAULT_SESSIONS_PER_SEAT = 3;

const rateLimited = (waitMs: number, what: string): Failure => ({
  ok: false,
  error: `${what}: try again in ${retryAfterSeconds(waitMs)} s`,
  code: 'rate-limited',
  retryAfterMs: waitMs,
});

export class QuizRealtime {
  readonly #server: QuizServer;
  readonly #rooms: LiveRooms;
  readonly #auth: HostAuth;
  /** liveId → who is in that live's rooms (seats, players, hosts, presenters), read at once by the views. */
  readonly #presence = new Map<string, PresenceMirror>();
  readonly #seatOf = new WeakMap<QuizSession, Seat>();
  /** Sessions whose join is being stored: a second join on the same connection is refused meanwhile. */
  readonly #joining = new WeakSet<QuizSession>();
  readonly #rtt = new WeakMap<QuizSession, number>();
  readonly #pingSlot = new WeakMap<QuizSession, number>();
  #nextPingSlot = 0;
  #pingTick = 0;
  readonly #pingTimer: NodeJS.Timeout;
  /** Answers the pages' clock sync (the scheduled opening and reaction times rest on it). */
  readonly #clocks: ClockResponder;
  readonly #joinBuckets: AddressBuckets;
  readonly #unknownCodes: AddressBuckets | undefined;
  readonly #sessionsPerSeat: number;

  constructor(server: QuizServer, rooms: LiveRooms, auth: HostAuth, options: RealtimeOptions = {}) {
    this.#server = server;
    this.#rooms = rooms;
    this.#auth = auth;
    this.#clocks = new ClockResponder(server, options.now ? { now: options.now } : {});
    this.#joinBuckets = new AddressBuckets({ perMinute: options.joinsPerMinute ?? DEFAULT_JOINS_PER_MINUTE });
    this.#unknownCodes = options.unknownCodes;
    this.#sessionsPerSeat = options.sessionsPerSeat ?? DEFAULT_SESSIONS_PER_SEAT;
    rooms.onRoom((room) => room.connect(this.#outlet(room)));
    server.on('connection', (session) => this.#accept(session));
    const interval = options.pingIntervalMs ?? 5000;
    this.#pingTimer = setInterval(() => this.#pingSlice(interval), interval / PING_SLICES);
    this.#pingTimer.unref();
  }

  close(): void {
    clearInterval(this.#pingTimer);
    for (const mirror of this.#presence.values()) mirror.close();
    this.#presence.clear();
  }

  #accept(session: QuizSession): void {
    const address = session.remoteAddress;
    session.on('join', (request, ack) => {
      const room = this.#roomByCode(request?.code, address);
      if (room === 'throttled') return ack(rateLimited(this.#unknownCodes!.wait(address), 'too many unknown join codes from your network'));
      if (!room) return ack({ ok: false, error: 'no quiz has this code: check it with the host' });
      if (this.#seatOf.has(session) || this.#joining.has(session)) return ack({ ok: false, error: 'this connection has already joined' });
      // Every join asked for costs a token, refused or not: joining, leaving and joining again is how seats were flooded.
      const waitMs = this.#joinBuckets.take(address);
      if (waitMs > 0) return ack(rateLimited(waitMs, 'too many joins from your network'));
      void this.#join(session, room, request, ack);
    });

    // A rejoin proves itself with the seat's secret, and its refusal says the same for a wrong code
    // or a wrong secret: no oracle for codes, so it is not counted. (Counting it would make a player
    // behind a throttled NAT forget their seat.)
    session.on('rejoin', (request, ack) => {
      const room = this.#guard(() => this.#rooms.byCode(request?.code), undefined);
      if (!room || !this.#guard(() => room.rejoin(request?.playerId, request?.secret), false)) {
        return ack({ ok: false, error: 'this seat is not known here: join again' });
      }
      const previous = this.#seatOf.get(session);
      if (previous && (previous.room !== room || previous.playerId !== request.playerId)) this.#unseat(session);
      this.#seat(session, room, request.playerId);
      ack({ ok: true, liveId: room.id, playerId: request.playerId, secret: request.secret, state: room.publicState(), you: room.playerView(request.playerId)! });
    });

    session.on('submit', (request, ack) => {
      const seat = this.#seatOf.get(session);
      if (!seat) return ack({ accepted: false, reason: 'not-joined', message: 'join the quiz first' });
      seat.room.submit(seat.playerId, request).then(ack, (error: unknown) => {
        console.error('quiz: submit failed:', error);
        ack({ accepted: false, reason: 'server-error', message: 'the answer could not be saved: please send it again' });
      });
    });

    // The host's page and the presenter screen prove themselves alike: a token or the password, failures throttled per address.
    const refusedHost = (request: HostHello | undefined): Failure | null => {
      const credential = typeof request === 'object' && request !== null ? ('token' in request ? request.token : request.password) : undefined;
      const checked = this.#auth.check(credential, address);
      if (checked.status === 'throttled') return rateLimited(checked.retryAfterMs, 'too many wrong host passwords from this address');
      if (checked.status !== 'ok') return { ok: false, error: 'wrong host password or expired sign-in' };
      return null;
    };

    session.on('host:hello', (request, ack) => {
      const refused = refusedHost(request);
      if (refused) return ack(refused);
      const room = typeof request.liveId === 'string' ? this.#guard(() => this.#rooms.get(request.liveId), undefined) : undefined;
      if (!room) return ack({ ok: false, error: 'no live session with this id' });
      this.#leaveHost(session);
      session.data.hostOf = room.id;
      session.join(hostRoom(room.id));
      ack({ ok: true, state: room.hostState() });
    });

    // The projector: the players' room (the game state, at the same instant as the phones) plus its own.
    session.on('presenter:hello', (request, ack) => {
      const refused = refusedHost(request);
      if (refused) return ack(refused);
      const room = typeof request.liveId === 'string' ? this.#guard(() => this.#rooms.get(request.liveId), undefined) : undefined;
      if (!room) return ack({ ok: false, error: 'no live session with this id' });
      this.#leavePresenter(session);
      session.data.presenterOf = room.id;
      session.join(playersRoom(room.id), presenterRoom(room.id));
      ack({ ok: true, state: room.presenterState() });
    });

    session.on('host:command', (command, ack) => {
      const liveId = session.data.hostOf;
      const room = typeof liveId === 'string' ? this.#guard(() => this.#rooms.get(liveId), undefined) : undefined;
      if (!room) return ack({ ok: false, error: 'say host:hello with the host password first' });
      ack(this.#guard(() => room.command(command), SERVER_ERROR));
    });

    const changed = () => this.#seatOf.get(session)?.room.scheduleHostPush();
    session.on('online', changed);
    session.on('offline', changed);
    session.on('transport', changed);
    session.on('disconnect', () => {
      this.#unseat(session);
      this.#leaveHost(session);
      this.#leavePresenter(session);
    });
  }

  async #join(session: QuizSession, room: LiveRoom, request: JoinRequest, ack: (reply: JoinReply) => void): Promise<void> {
    this.#joining.add(session);
    try {
      const result = await room.join(request);
      if (!result.ok) return ack(result);
      // Ended while the seat was being stored: nobody is left to tell, and no room to join.
      if (session.ended) return;
      // A rejoin on this connection won meanwhile: one connection, one seat.
      if (this.#seatOf.has(session)) return ack({ ok: false, error: 'this connection has already joined' });
      this.#seat(session, room, result.playerId);
      ack({ ok: true, liveId: room.id, playerId: result.playerId, secret: result.secret, state: room.publicState(), you: room.playerView(result.playerId)! });
    } catch (error) {
      console.error('quiz: join failed:', error);
      ack(SERVER_ERROR);
    } finally {
      this.#joining.delete(session);
    }
  }

  /** The room of a join code; a code that does not exist counts against the address (code enumeration). */
  #roomByCode(code: unknown, address: string): LiveRoom | 'throttled' | undefined {
    if (this.#unknownCodes && this.#unknownCodes.wait(address) > 0) return 'throttled';
    const room = this.#guard(() => this.#rooms.byCode(code), undefined);
    if (!room) this.#unknownCodes?.take(address);
    return room;
  }

  #leaveHost(session: QuizSession): void {
    const liveId = session.data.hostOf;
    if (typeof liveId !== 'string') return;
    session.leave(hostRoom(liveId));
    delete session.data.hostOf;
  }

  #leavePresenter(session: QuizSession): void {
    const liveId = session.data.presenterOf;
    if (typeof liveId !== 'string') return;
    // A seated player on this connection stays in the players' room.
    if (this.#seatOf.get(session)?.room.id !== liveId) session.leave(playersRoom(liveId));
    session.leave(presenterRoom(liveId));
    delete session.data.presenterOf;
  }

  /** Runs a room operation; a store failure becomes `fallback` (an error reply) instead of a crash. */
  #guard<T, F>(operation: () => T, fallback: F): T | F {
    try {
      return operation();
    } catch (error) {
      console.error('quiz: operation failed:', error);
      return fallback;
    }
  }

  /**
   * Seats a session. A seat has at most `sessionsPerSeat` pages: one more takes over from the
   * oldest, which is told (`seat:taken`) and unseated but left connected, so that two tabs do not
   * take the seat from each other in turn. Every page of a seat is in one room, `seat:<liveId>:<playerId>`,
   * so the player's own view is encoded once however many pages show it.
   */
  #seat(session: QuizSession, room: LiveRoom, playerId: string): void {
    const seated = this.#seatSessions(room.id, playerId);
    if (!seated.includes(session) && seated.length >= this.#sessionsPerSeat) {
      // Presence keeps members in the order they came: the first is the oldest page.
      const oldest = seated[0];
      this.#unseat(oldest);
      oldest.emit('seat:taken', { message: 'this seat was opened on another page or device: reload this page to play here' });
    }
    this.#seatOf.set(session, { room, playerId });
    if (!this.#pingSlot.has(session)) this.#pingSlot.set(session, this.#nextPingSlot++ % PING_SLICES);
    // Presence changes push the host's view (see #mirror).
    session.join(playersRoom(room.id), seatRoom(room.id, playerId));
    this.#presenceDone(this.#server.presence.update(playersRoom(room.id), session.id, { playerId }));
  }

  #unseat(session: QuizSession): void {
    const seat = this.#seatOf.get(session);
    if (!seat) return;
    this.#seatOf.delete(session);
    // A presenter screen on this connection stays in the players' room, as no player.
    if (session.data.presenterOf !== seat.room.id) session.leave(playersRoom(seat.room.id));
    else this.#presenceDone(this.#server.presence.update(playersRoom(seat.room.id), session.id, {}));
    session.leave(seatRoom(seat.room.id, seat.playerId));
  }

  /** The pages seated on a seat, oldest first (those of this node: a page's link details live here). */
  #seatSessions(liveId: string, playerId: string): QuizSession[] {
    const sessions: QuizSession[] = [];
    for (const id of this.#presence.get(liveId)?.members(seatRoom(liveId, playerId)).keys() ?? []) {
      const session = this.#server.sessions.get(id);
      if (session) sessions.push(session);
    }
    return sessions;
  }

  /** Players with at least one page in the live: the members of its players' room with a playerId. */
  *#connectedPlayers(liveId: string): Iterable<string> {
    const seen = new Set<string>();
    for (const member of this.#presence.get(liveId)?.members(playersRoom(liveId)).values() ?? []) {
      const playerId = member.info.playerId;
      if (typeof playerId !== 'string' || seen.has(playerId)) continue;
      seen.add(playerId);
      yield playerId;
    }
  }

  /** The live's rooms as presence has them; any change of who is there re-renders the host's view. */
  #mirror(room: LiveRoom): PresenceMirror {
    const seats = `seat:${room.id}:`;
    const rooms = new Set([playersRoom(room.id), hostRoom(room.id), presenterRoom(room.id)]);
    const mirror = new PresenceMirror(this.#server.presence, (name) => rooms.has(name) || name.startsWith(seats), () => room.scheduleHostPush());
    this.#presence.get(room.id)?.close();
    this.#presence.set(room.id, mirror);
    return mirror;
  }

  #presenceDone(change: Promise<void>): void {
    change.catch((error: unknown) => console.error('quiz: presence update failed:', error));
  }

  #outlet(room: LiveRoom): RoomOutlet {
    const presence = this.#mirror(room);
    const players = this.#server.to(playersRoom(room.id));
    const hosts = this.#server.to(hostRoom(room.id));
    const presenters = this.#server.to(presenterRoom(room.id));
    const sessionsOf = (playerId: string) => this.#seatSessions(room.id, playerId);
    return {
      toPlayers: (state) => players.emit('state', state),
      // A host that falls behind needs only the newest view.
      toHosts: (state) => hosts.emit('host:state', state, { latest: 'host:state' }),
      toPresenters: (state) => presenters.emit('presenter:state', state, { latest: 'presenter:state' }),
      toPlayer: (playerId, view) => {
        if (presence.size(seatRoom(room.id, playerId)) > 0) this.#server.to(seatRoom(room.id, playerId)).emit('you', view);
      },
      connectedPlayers: () => this.#connectedPlayers(room.id),
      presence: (playerId) => this.#link(sessionsOf(playerId)),
      hasHosts: () => presence.size(hostRoom(room.id)) > 0,
      hasPresenters: () => presence.size(presenterRoom(room.id)) > 0,
      dropPlayer: (playerId) => {
        for (const session of sessionsOf(playerId)) {
          session.emit('kicked', { message: 'the host removed you from this quiz' });
          this.#unseat(session);
        }
      },
    };
  }

  #link(sessions: readonly QuizSession[]): Link {
    let best: Link = { connected: false, reconnecting: false, rttMs: null, transport: null, clockUncertaintyMs: null };
    for (const session of sessions) {
      if (!session.connected && best.connected) continue;
      const clock = this.#clocks.report(session);
      const pinged = this.#rtt.get(session);
      // The larger of the two round trips: the bounds built on it must hold for an honest page.
      const rtt = pinged === undefined ? clock?.rttMs : clock === undefined ? pinged : Math.max(pinged, clock.rttMs);
      best = {
        connected: session.connected,
        reconnecting: !session.connected,
        rttMs: rtt ?? best.rttMs,
        transport: session.transport,
        clockUncertaintyMs: clock?.uncertaintyMs ?? best.clockUncertaintyMs,
      };
    }
    return best;
  }

  /**
   * Round trips measured by the server, over whatever transport each player has. Each tick pings
   * one slice of the players: 10,000 pings at once would hold up a question opening in between.
   */
  #pingSlice(timeout: number): void {
    const slice = this.#pingTick++ % PING_SLICES;
    for (const liveId of this.#presence.keys()) {
      const room = this.#rooms.get(liveId);
      for (const playerId of this.#connectedPlayers(liveId)) {
        for (const session of this.#seatSessions(liveId, playerId)) {
          if (!session.connected || this.#pingSlot.get(session) !== slice) continue;
          const sent = Date.now();
          session.emitWithAck('ping', { t: sent }, { timeout }).then(
            () => {
              this.#rtt.set(session, Date.now() - sent);
              room?.scheduleHostPush();
            },
            () => {},
          );
        }
      }
    }
  }
}
