export { RedisBroker, type RedisBrokerOptions } from './redis-broker.js';
export { RedisPresence, type RedisPresenceOptions } from './redis-presence.js';
export { RedisSessionStore, type RedisSessionStoreOptions } from './redis-session-store.js';
