/** The live WebSocket API: per-site journal with cursors, fan-out hub, GET /sites/:siteId/live, publishers. See docs/live.md. */
export { Journal, SiteJournal, DEFAULT_JOURNAL_LIMITS, type JournalEntry, type JournalLimits, type Catchup } from './journal.js';
export { LiveHub, type LiveHubOptions, type LiveSocket } from './hub.js';
export { CLOSE, TOPIC_NAMES, parseClientMessage, topicName, type TopicName, type ClientMessage } from './protocol.js';
export { registerLiveRoutes, type LiveRouteOptions } from './routes.js';
export { ReadingsPublisher, deviceMessage, eventMessage, newestPerSeries, publishLive } from './publishers.js';
export * from './topics.js';
