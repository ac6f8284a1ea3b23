export { createMqttBroker, embeddedBroker, externalBroker, noBroker, type MqttBroker } from './broker.js';
