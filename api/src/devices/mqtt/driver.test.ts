import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { services } from '../../test/services.js';
import { loadDeviceModels } from '../catalog.js';
import { parseDeviceConfig, type MqttModel } from '../definition.js';
import type { DeviceBatch, DeviceSink } from '../driver.js';
import { commandMessages, decodeDeviceMessage, MqttDeviceDriver } from './driver.js';

const catalog = loadDeviceModels().models;
const battery = catalog.get('generic-mqtt-battery') as MqttModel;
const meter = catalog.get('generic-mqtt-meter') as MqttModel;

function cfg(model: MqttModel, prefix: string, extra: Record<string, unknown> = {}) {
  const r = parseDeviceConfig(
    { id: 'dev1', siteId: 'site-a', model: model.id, protocol: 'mqtt', connection: { topicPrefix: prefix, ...extra } },
    model,
  );
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.value as Extract<typeof r.value, { protocol: 'mqtt' }>;
}

describe('MQTT device messages (pure)', () => {
  it('maps plain-number topics and JSON paths with device timestamps to readings', () => {
    const m = decodeDeviceMessage(cfg(meter, 'site/meter'), meter, 'site/meter/energy_import', '1234.5', 1_000);
    expect(m.readings).toEqual([
      expect.objectContaining({ seriesKey: 'dev1/energy_import', value: 1_234_500, tsMs: 1_000, semantics: 'cumulative' }),
    ]);
    const b = decodeDeviceMessage(
      cfg(battery, 'bat'),
      battery,
      'bat/status',
      '{"ts": 1750000000000, "power_w": -3000, "soc_pct": 64.5}',
      5,
    );
    expect(b.readings.map((r) => [r.seriesKey, r.value, r.tsMs])).toEqual([
      ['dev1/active_power', -3000, 1750000000000],
      ['dev1/state_of_charge', 64.5, 1750000000000],
    ]);
  });

  it('refuses bad payloads per point and keeps the good ones of the same message', () => {
    const b = decodeDeviceMessage(
      cfg(battery, 'bat'),
      battery,
      'bat/status',
      '{"ts": 1750000000000, "power_w": "lots", "soc_pct": 140}',
      5,
    );
    expect(b.readings).toEqual([]);
    expect(b.rejections.map((r) => r.reason)).toEqual([
      expect.stringMatching(/power .*"lots" at power_w is not a number/),
      expect.stringMatching(/soc: 140 % is above the limit 100/),
    ]);
    const ok = decodeDeviceMessage(cfg(battery, 'bat'), battery, 'bat/status', '{"ts": 1750000000000, "power_w": 10, "soc_pct": 140}', 5);
    expect(ok.readings.map((r) => r.seriesKey)).toEqual(['dev1/active_power']);
    expect(decodeDeviceMessage(cfg(meter, 'm'), meter, 'm/power', 'abc', 1).rejections[0]!.reason).toMatch(/not a number/);
    expect(decodeDeviceMessage(cfg(meter, 'm'), meter, 'm/power', '5 kWh', 1).rejections[0]!.reason).toMatch(
      /unit "kWh" is not the point's unit "W"/,
    );
    expect(decodeDeviceMessage(cfg(meter, 'm'), meter, 'other/power', '5', 1)).toEqual({ readings: [], rejections: [] });
  });

  it('sends value and revert timeout in one command when they share a JSON topic', () => {
    const sp = battery.setpoints[0]!;
    expect(commandMessages(cfg(battery, 'site/bat'), sp, -2500, 60)).toEqual([
      { topic: 'site/bat/cmd/power', payload: '{"power_w":-2500,"revert_s":60}', qos: 1, retain: false },
    ]);
  });
});

class CaptureSink implements DeviceSink {
  batches: DeviceBatch[] = [];
  async submit(batch: DeviceBatch): Promise<void> {
    this.batches.push(batch);
  }
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!services.mqtt)('MQTT device driver against Mosquitto', () => {
  let driver: MqttDeviceDriver | undefined;
  let peer: mqtt.MqttClient | undefined;
  afterEach(async () => {
    await driver?.stop();
    await peer?.endAsync(true);
  });

  it('subscribes, stores values, degrades on a bad message, publishes commands, goes offline when the device falls silent', async () => {
    const prefix = `luna-test/${Math.random().toString(16).slice(2, 10)}`;
    const sink = new CaptureSink();
    driver = new MqttDeviceDriver(cfg(battery, prefix, { url: services.mqtt, staleAfterMs: 400 }), battery, sink);
    await driver.start();
    peer = await mqtt.connectAsync(services.mqtt!);
    const commands: Array<{ topic: string; payload: string; retain: boolean; qos: number }> = [];
    peer.on('message', (topic, payload, packet) =>
      commands.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos }),
    );
    await peer.subscribeAsync(`${prefix}/cmd/#`, { qos: 1 });
    await until('subscribed', () => driver!.health().state === 'connecting' || driver!.health().state === 'online');
    await new Promise((r) => setTimeout(r, 200)); // the driver's SUBSCRIBE reaches the broker
    await peer.publishAsync(`${prefix}/status`, JSON.stringify({ ts: 1750000000000, power_w: 1500, soc_pct: 80 }), { qos: 1 });
    await until('online', () => driver!.health().state === 'online');
    await until('stored', () => sink.batches.length > 0);
    expect(sink.batches[0]!.readings.map((r) => [r.seriesKey, r.value])).toEqual([
      ['dev1/active_power', 1500],
      ['dev1/state_of_charge', 80],
    ]);
    expect(driver.health().lastValueMs).toBe(1750000000000);

    await peer.publishAsync(`${prefix}/status`, 'not json', { qos: 1 });
    const h = await until('degraded', () => (driver!.health().state === 'degraded' ? driver!.health() : undefined));
    expect(h.errors.decode).toBeGreaterThan(0);

    await driver.write('power_setpoint_w', -4000, { revertTimeoutS: 30 });
    await until('command', () => commands.length > 0);
    expect(commands[0]).toEqual({ topic: `${prefix}/cmd/power`, payload: '{"power_w":-4000,"revert_s":30}', retain: false, qos: 1 });
    await expect(driver.write('power_setpoint_w', -40000, { revertTimeoutS: 30 })).rejects.toThrow(/outside/);

    await until('offline (silent)', () => driver!.health().state === 'offline', 5_000);
    await peer.publishAsync(`${prefix}/status`, JSON.stringify({ ts: 1750000001000, power_w: 1, soc_pct: 80 }), { qos: 1 });
    await until('online again', () => driver!.health().state === 'online');
  }, 20_000);
});
