/**
 * The simulated PV inverter and battery inverter as SunSpec devices (values from the physics,
 * control points into the physics). Register layout (base 40000): PV inverter models 1, 103, 120,
 * 123; battery inverter models 1, 103, 120, 124, 802.
 *
 * Semantics of the control points (this simulated device's reading of the SunSpec models — real
 * vendors differ in details, which is what device definitions are for):
 * - PV, model 123: `WMaxLim_Ena` = 1 limits AC power to `WMaxLimPct` % of `WRtg`; the limit
 *   reverts (Ena back to 0, no limit) `WMaxLimPct_RvrtTms` s after the last write of a 123 point
 *   (0 = never). `Conn` = 0 (disconnect) is not simulated and refused (exception 03).
 * - Battery, model 124: with `StorCtl_Mod` bit 1 (DISCHARGE) set the battery runs at
 *   `OutWRte` % of the maximum discharge rate (`MaxDisChaRte`, model 120; negative = charge), with
 *   bit 0 (CHARGE) at `InWRte` % of `WChaMax` charging (negative = discharge); both bits: the sum.
 *   `StorCtl_Mod` = 0 means no remote control: the battery idles (0 W), its safe behaviour. After
 *   `InOutWRte_RvrtTms` s without a write of a 124 point (0 = never) it reverts: StorCtl_Mod,
 *   InWRte and OutWRte go back to 0. Rates outside ±100 % are refused (exception 03).
 * - Accepted and kept but without effect on the physics: the *_WinTms / *_RmpTms points, 124
 *   MinRsvPct/ChaGriSet/VAChaMax/gradients, 123 power factor and var controls, and the 802 RW points.
 * - Signs: model 103 `W` and 802 `W` are + discharge / − charge (AC and DC side respectively).
 */
import type { ModelInstance } from '../devices/sunspec/image.js';
import type { SunSpecModels } from '../devices/sunspec/models.js';
import { EXCEPTION, ModbusException } from './modbus/frame.js';
import type { SiteSimulator } from './site.js';
import { atSf, int16At, SunSpecDevice, uint16At, wrapCounter, type ControlValues } from './sunspec-device.js';

export interface InverterOptions {
  /** simulated now, epoch ms (the write time of a setpoint) */
  now: () => number;
  /** advances the physics to now before a write takes effect (so a setpoint does not act on the past) */
  sync?: () => void;
  unitId: number;
  serialNumber?: string;
}

const VERSION = '1.0';
const DC_BUS_V = 800;
const PHASE_V = 230;

type Controls = Record<string, number | string | null>;

/** Takes over the RW points of a decoded model into the control state (others ignored). */
function takeRw(models: SunSpecModels, id: number, from: ControlValues, into: Controls): void {
  for (const p of models.get(id)!.group.points ?? []) if (p.access === 'RW' && p.name in from) into[p.name] = from[p.name]!;
}

function refuse(message: string): never {
  throw new ModbusException(EXCEPTION.ILLEGAL_DATA_VALUE, message);
}

function common(model: string, serial: string, unitId: number): ModelInstance {
  return { id: 1, values: { Mn: 'Luna-IEMS', Md: model, Opt: 'simulator', Vr: VERSION, SN: serial, DA: unitId } };
}

/** Model 103 values for an inverter with AC power `w` (W, + output). */
function threePhase(w: number, whTotal: number, dcW: number, state: number): ModelInstance {
  const amps = Math.abs(w) / PHASE_V;
  return {
    id: 103,
    values: {
      A_SF: -1,
      A: uint16At(amps, -1),
      AphA: uint16At(amps / 3, -1),
      AphB: uint16At(amps / 3, -1),
      AphC: uint16At(amps / 3, -1),
      V_SF: -1,
      PPVphAB: 400,
      PPVphBC: 400,
      PPVphCA: 400,
      PhVphA: PHASE_V,
      PhVphB: PHASE_V,
      PhVphC: PHASE_V,
      W_SF: 2,
      W: int16At(w, 2),
      Hz_SF: -2,
      Hz: 50,
      VA_SF: 2,
      VA: int16At(Math.abs(w), 2),
      VAr_SF: 2,
      VAr: 0,
      PF_SF: 0,
      PF: 100,
      WH_SF: 0,
      WH: wrapCounter(whTotal, 32),
      DCA_SF: -1,
      DCA: uint16At(Math.abs(dcW) / DC_BUS_V, -1),
      DCV_SF: -1,
      DCV: DC_BUS_V,
      DCW_SF: 2,
      DCW: int16At(dcW, 2),
      Tmp_SF: -1,
      TmpCab: 35,
      St: state,
      Evt1: 0,
      Evt2: 0,
    },
  };
}

/** The PV inverter (SunSpec models 1, 103, 120, 123). */
export function simulatedPvInverter(sim: SiteSimulator, models: SunSpecModels, o: InverterOptions): SunSpecDevice {
  const ratedW = sim.params.pvRatedW;
  const controls: Controls = {
    Conn_WinTms: 0,
    Conn_RvrtTms: 0,
    Conn: 1,
    WMaxLimPct: 100,
    WMaxLimPct_WinTms: 0,
    WMaxLimPct_RvrtTms: 0,
    WMaxLimPct_RmpTms: 0,
    WMaxLim_Ena: 0,
    OutPFSet: null,
    OutPFSet_WinTms: 0,
    OutPFSet_RvrtTms: 0,
    OutPFSet_RmpTms: 0,
    OutPFSet_Ena: 0,
    VArWMaxPct: null,
    VArMaxPct: null,
    VArAvalPct: null,
    VArPct_WinTms: 0,
    VArPct_RvrtTms: 0,
    VArPct_RmpTms: 0,
    VArPct_Mod: 0,
    VArPct_Ena: 0,
  };
  return new SunSpecDevice(models, {
    instances() {
      // the device's own revert: the physics dropped the limit → Ena back to 0
      if (controls.WMaxLim_Ena === 1 && !sim.pvLimitActive) controls.WMaxLim_Ena = 0;
      const r = sim.last;
      const w = r?.pvW ?? 0;
      const state = w <= 0 ? 2 : r && r.pvW < r.pvAvailableW - 1e-6 ? 5 : 4;
      return [
        common('SimPV 750', o.serialNumber ?? 'SIM-PV-0001', o.unitId),
        threePhase(w, sim.counters.pvWh, w / 0.98, state),
        {
          id: 120,
          values: {
            DERTyp: 4,
            WRtg_SF: 2,
            WRtg: uint16At(ratedW, 2),
            VARtg_SF: 2,
            VARtg: uint16At(ratedW, 2),
            ARtg_SF: 0,
            ARtg: uint16At(ratedW / PHASE_V / 3, 0),
          },
        },
        { id: 123, values: { ...controls, WMaxLimPct_SF: -1, OutPFSet_SF: -3, VArPct_SF: -1 } },
      ];
    },
    control(written) {
      const c = written.get(123);
      if (!c) return;
      const pct = Number(c.WMaxLimPct ?? 100);
      if (!(pct >= 0 && pct <= 100)) refuse(`WMaxLimPct ${pct} % is outside 0–100 %`);
      if (c.WMaxLim_Ena !== 0 && c.WMaxLim_Ena !== 1)
        refuse(`WMaxLim_Ena ${String(c.WMaxLim_Ena)} is neither 0 (disabled) nor 1 (enabled)`);
      if (c.Conn !== 1) refuse('Conn = 0 (disconnect) is not simulated');
      o.sync?.();
      takeRw(models, 123, c, controls);
      const revertS = Number(controls.WMaxLimPct_RvrtTms ?? 0);
      if (controls.WMaxLim_Ena === 1) sim.setPvLimit(pct, revertS, o.now());
      else sim.clearPvLimit();
    },
  });
}

/** The battery inverter (SunSpec models 1, 103, 120, 124, 802). */
export function simulatedBatteryInverter(sim: SiteSimulator, models: SunSpecModels, o: InverterOptions): SunSpecDevice {
  const b = sim.params.battery;
  const ahRtg = b.capacityWh / DC_BUS_V;
  const storage: Controls = {
    WChaMax: b.maxChargeW,
    WChaGra: null,
    WDisChaGra: null,
    StorCtl_Mod: 0,
    VAChaMax: null,
    MinRsvPct: b.socMinPct,
    OutWRte: 0,
    InWRte: 0,
    InOutWRte_WinTms: 0,
    InOutWRte_RvrtTms: 0,
    InOutWRte_RmpTms: 0,
    ChaGriSet: 1,
  };
  const battery: Controls = { SocRsvMax: null, SoCRsvMin: null, CtrlHb: 0, AlmRst: 0, SetOp: 1, SetInvState: 3 };
  let heartbeat = 0;
  return new SunSpecDevice(models, {
    instances() {
      if (Number(storage.StorCtl_Mod) !== 0 && !sim.batterySetpointActive) {
        storage.StorCtl_Mod = 0;
        storage.InWRte = 0;
        storage.OutWRte = 0;
      }
      heartbeat = (heartbeat + 1) & 0xffff;
      const r = sim.last;
      const w = r?.batteryW ?? 0;
      const dcW = w > 0 ? w / b.dischargeEfficiency : w * b.chargeEfficiency;
      const soc = sim.socPct;
      const chaSt = w > 0 ? 3 : w < 0 ? 4 : soc >= b.socMaxPct - 1e-6 ? 5 : soc <= b.socMinPct + 1e-6 ? 2 : 6;
      return [
        common('SimBattery 1000', o.serialNumber ?? 'SIM-BAT-0001', o.unitId),
        threePhase(w, sim.counters.batteryDischargeWh, dcW, w === 0 ? 8 : 4),
        {
          id: 120,
          values: {
            DERTyp: 82,
            WRtg_SF: 2,
            WRtg: uint16At(Math.max(b.maxChargeW, b.maxDischargeW), 2),
            VARtg_SF: 2,
            VARtg: uint16At(Math.max(b.maxChargeW, b.maxDischargeW), 2),
            ARtg_SF: 0,
            ARtg: uint16At(b.maxDischargeW / PHASE_V / 3, 0),
            WHRtg_SF: 2,
            WHRtg: uint16At(b.capacityWh, 2),
            AhrRtg_SF: 0,
            AhrRtg: uint16At(ahRtg, 0),
            MaxChaRte_SF: 2,
            MaxChaRte: uint16At(b.maxChargeW, 2),
            MaxDisChaRte_SF: 2,
            MaxDisChaRte: uint16At(b.maxDischargeW, 2),
          },
        },
        {
          id: 124,
          values: {
            ...storage,
            WChaMax_SF: 2,
            WChaDisChaGra_SF: 0,
            VAChaMax_SF: 2,
            MinRsvPct_SF: 0,
            ChaState_SF: -1,
            ChaState: atSf(soc, -1),
            StorAval_SF: 0,
            StorAval: uint16At(Math.max(0, sim.storedEnergyWh - (b.capacityWh * b.socMinPct) / 100) / DC_BUS_V, 0),
            InBatV_SF: -1,
            InBatV: DC_BUS_V,
            ChaSt: chaSt,
            InOutWRte_SF: -2,
          },
        },
        {
          id: 802,
          values: {
            ...battery,
            AHRtg_SF: 0,
            AHRtg: uint16At(ahRtg, 0),
            WHRtg_SF: 2,
            WHRtg: uint16At(b.capacityWh, 2),
            WChaDisChaMax_SF: 2,
            WChaRteMax: uint16At(b.maxChargeW, 2),
            WDisChaRteMax: uint16At(b.maxDischargeW, 2),
            SoC_SF: -1,
            SoCMax: b.socMaxPct,
            SoCMin: b.socMinPct,
            SoC: atSf(soc, -1),
            SoH_SF: 0,
            SoH: 100,
            NCyc: Math.floor(sim.counters.batteryDischargeWh / b.capacityWh),
            ChaSt: chaSt,
            LocRemCtl: 0,
            Hb: heartbeat,
            Typ: 4,
            State: 3,
            V_SF: -1,
            V: DC_BUS_V,
            A_SF: -1,
            A: int16At(dcW / DC_BUS_V, -1),
            W_SF: 2,
            W: int16At(dcW, 2),
          },
        },
      ];
    },
    control(written) {
      const s = written.get(124);
      if (s) {
        const mode = Number(s.StorCtl_Mod ?? 0);
        if (!Number.isInteger(mode) || mode < 0 || mode > 3)
          refuse(`StorCtl_Mod ${mode} sets bits other than 0 (CHARGE) and 1 (DISCHARGE)`);
        for (const k of ['InWRte', 'OutWRte'] as const) {
          const v = Number(s[k] ?? 0);
          if (!(v >= -100 && v <= 100)) refuse(`${k} ${v} % is outside ±100 %`);
        }
        const wChaMax = Number(s.WChaMax);
        if (!(wChaMax > 0 && wChaMax <= b.maxChargeW)) refuse(`WChaMax ${wChaMax} W is outside (0, ${b.maxChargeW}] W`);
        o.sync?.();
        takeRw(models, 124, s, storage);
        const powerW =
          (mode & 2 ? (Number(storage.OutWRte) / 100) * b.maxDischargeW : 0) - (mode & 1 ? (Number(storage.InWRte) / 100) * wChaMax : 0);
        if (mode === 0) sim.clearBatteryPower();
        else sim.setBatteryPower(powerW, Number(storage.InOutWRte_RvrtTms ?? 0), o.now());
      }
      const bat = written.get(802);
      if (bat) takeRw(models, 802, bat, battery);
    },
  });
}
