/**
 * Public face of the control inputs: manual overrides and grid-operator signals (issue #8 items 4
 * and 5). `startControlInputs` builds the service (ControlInputs for the agents), the MQTT signal
 * subscriber and the Modbus control box inputs; `registerControlInputRoutes` the API.
 */
import type { Registry } from 'prom-client';
import { loadDeviceModels } from '../../devices/catalog.js';
import type { DeviceModel, ModbusModel } from '../../devices/definition.js';
import type { Logger } from '../../ops/logger.js';
import type { Database } from '../../store/index.js';
import { loadControlBoxesFile } from './boxes.js';
import { ControlBoxInput } from './modbus.js';
import { startMqttSignals, type MqttSignals } from './mqtt.js';
import { ControlInputsService } from './service.js';

export { ControlInputsService, InputError, type ChangeContext, type SignalResult } from './service.js';
export { registerControlInputRoutes } from './routes.js';
export { parseSignalInput, parseOverrideInput, assetRange, GRID_SIGNAL_KINDS, MAX_OVERRIDE_S, MAX_SIGNAL_MS } from './validate.js';
export { startMqttSignals, signalTopic, SIGNAL_TOPIC_FILTER, type MqttSignals } from './mqtt.js';
export { ControlBoxInput, type ControlBoxState } from './modbus.js';
export { loadControlBoxesFile, decodeBox, type ControlBoxConfig } from './boxes.js';

export interface ControlInputsRuntime {
  service: ControlInputsService;
  mqtt: MqttSignals | undefined;
  boxes: ControlBoxInput[];
  stop(): Promise<void>;
}

export interface StartControlInputsOptions {
  db: Database;
  log: Logger;
  bus?: { publish(topic: string, message: unknown): Promise<void> };
  registry?: Registry;
  /** MQTT broker for `luna/<siteId>/grid-signal` (the service's broker); undefined: no MQTT input */
  mqtt?: { url: string; username?: string; password?: string; clientId?: string };
  /** LUNA_CONTROL_BOXES file; undefined: no Modbus control box */
  controlBoxesFile?: string;
  /** a site on its own clock (the accelerated demo simulator) */
  siteClock?: (siteId: string) => (() => number) | undefined;
}

/** Loads the active overrides and signals, then starts the MQTT and Modbus inputs. Throws on a bad LUNA_CONTROL_BOXES file. */
export async function startControlInputs(o: StartControlInputsOptions): Promise<ControlInputsRuntime> {
  const log = o.log.child({ component: 'control-inputs' });
  const models = o.controlBoxesFile ? loadDeviceModels().models : new Map<string, DeviceModel>();
  const boxesConfig = o.controlBoxesFile ? loadControlBoxesFile(o.controlBoxesFile, models) : [];
  const service = new ControlInputsService({
    db: o.db,
    log,
    ...(o.bus ? { bus: o.bus } : {}),
    ...(o.registry ? { registry: o.registry } : {}),
    ...(o.siteClock ? { siteClock: o.siteClock } : {}),
  });
  await service.start();
  // one persistent MQTT session per installation: the client id carries the instance id (two installations on one broker do not take each other's session)
  let mqtt: MqttSignals | undefined;
  if (o.mqtt) {
    const { rows } = await o.db.query<{ instance_id: string }>('select instance_id::text as instance_id from instance');
    const clientId = o.mqtt.clientId ?? `luna-grid-signals-${(rows[0]?.instance_id ?? 'default').slice(0, 8)}`;
    mqtt = startMqttSignals({ ...o.mqtt, clientId, db: o.db, inputs: service, log });
  }
  const boxes = boxesConfig.map(
    (b) => new ControlBoxInput(b, models.get(b.model) as ModbusModel, service, log, () => service.nowFor(b.siteId)),
  );
  for (const b of boxes) {
    b.start();
    log.info(
      { siteId: b.box.siteId, box: b.box.id, host: b.box.connection.host, port: b.box.connection.port },
      `control box ${b.box.id} of site ${b.box.siteId}: polling ${b.box.connection.host}:${b.box.connection.port} every ${b.box.connection.pollIntervalMs} ms (model ${b.box.model})`,
    );
  }
  return {
    service,
    mqtt,
    boxes,
    async stop() {
      for (const b of boxes) await b.stop();
      await mqtt?.close();
      await service.stop();
    },
  };
}
