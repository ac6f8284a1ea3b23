/**
 * MQTT ingest: topic mappings (pure decoders for plain numbers, JSON, Tasmota, Shelly, OpenDTU)
 * and the subscriber adapter (persistent session, PUBACK only after the sink stored a message).
 *
 * NOT DONE YET: not wired into the composition root or the configuration (no mapping file or
 * environment variable loads mappings); no IngestSink backed by the writer (it must resolve
 * series keys to ids and treat redelivered (series, ts) as duplicates); one submit in flight per
 * subscriber (mqtt.js reads the next packet only after the previous PUBACK decision), parallel
 * subscribers with MQTT 5 shared subscriptions are not built; not decoded: Shelly Gen2
 * `events/rpc` NotifyStatus (carries a device timestamp), Shelly Gen1 `emeter/…`, Tasmota
 * sensors other than ENERGY (DS18B20 …), OpenDTU efficiency/irradiation.
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
  backoffDelayMs,
  startMqttSubscriber,
  type IngestSink,
  type MqttSubscriber,
  type SubscriberLog,
  type SubscriberOptions,
  type SubscriberStats,
} from './subscriber.js';
export { matchTopic } from './topic.js';
