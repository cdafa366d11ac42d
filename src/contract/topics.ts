/**
 * The log's topics: what the collector appends to and the processors read. A topic name is part of the wire
 * contract — a Kafka deployment's ACLs, retention and external producers (the CDC agent, log shippers) name them.
 */

/** Envelopes of analytics events, every protocol but log lines and CDC. */
export const EVENTS_TOPIC = 'events';
/** Envelopes of log lines (nginx, syslog, JSON lines). */
export const LOGS_TOPIC = 'logs';
/** Envelopes of database changes (Maxwell JSON). */
export const CDC_TOPIC = 'cdc';
/** The topics the collector writes and the processors read. */
export const TOPICS = [EVENTS_TOPIC, LOGS_TOPIC, CDC_TOPIC];
/** Kafka only: every dead letter is also published here, for tools that watch a topic rather than a table. */
export const DEAD_LETTERS_TOPIC = 'dead-letters';
