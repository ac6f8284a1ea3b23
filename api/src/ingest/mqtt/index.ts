/**
 * MQTT ingest: topic mappings (pure decoders for plain numbers, JSON, Tasmota, Shelly, OpenDTU),
 * the subscriber adapter (persistent session, deferred PUBACKs: acknowledged only once durable,
 * while reading on), the writer-backed sink, and the service started from LUNA_MQTT_MAPPINGS.
 *
 * NOT DONE YET: mappings come only from the file (no API to edit them; a change needs a
 * restart); parallel subscribers with MQTT 5 shared subscriptions are not built; quarantine
 * rows of rejections are written before the PUBACK, but while the database is unreachable they
 * wait in memory (lost on a crash); not decoded: Shelly Gen2 `events/rpc` NotifyStatus (carries
 * a device timestamp), Shelly Gen1 `emeter/…`, Tasmota sensors other than ENERGY (DS18B20 …),
 * OpenDTU efficiency/irradiation.
 */
export {
  compileMappings,
  decodeMessage,
  mappingSchema,
  mappingsSchema,
  subscriptionTopics,
  type CompiledMapping,
  type CompileResult,
  type DecodeResult,
  type KeyedReading,
  type MappingDefinition,
  type MqttFormat,
} from './mapping.js';
export {
  assertMqttInternals,
  backoffDelayMs,
  startMqttSubscriber,
  type IngestSink,
  type MqttSubscriber,
  type SubscriberLog,
  type SubscriberOptions,
  type SubscriberStats,
} from './subscriber.js';
export { matchTopic } from './topic.js';
export { describeSeries, type SeriesDescription } from './describe.js';
export { writerSink, type WriterSink, type WriterSinkOptions } from './sink.js';
export { loadMappingsFile, startMqttIngest, type MqttIngest, type MqttIngestOptions, type SiteMappings } from './service.js';
