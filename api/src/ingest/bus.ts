/**
 * The ingest bus: the one interface every source (REST, CSV import, MQTT, device drivers) hands
 * normalised readings to. Both calls resolve only when the readings are durable (committed, or
 * fsynced to the store-and-forward buffer).
 *
 * Today the in-process implementation is the ReadingWriter itself. A Kafka/Redpanda adapter (issue
 * #4 follow-up, not built yet) will implement the same interface — produce, resolve on the broker's
 * acknowledgement — with ReadingWriter instances consuming in separate writer processes, so no
 * source and no writer code changes.
 */
import type { ReadingWriter } from './writer.js';

export type IngestBus = Pick<ReadingWriter, 'write' | 'enqueue'>;
