// Shared helpers for the recovery tests.
import type { LossDetection, Recovery, SentPacket, PacketNumberSpace } from '../../src/recovery/index.ts';

export interface PacketSpec {
  size?: number;
  ackEliciting?: boolean;
  inFlight?: boolean;
  largestAcked?: number;
}

export function packet(pn: number, timeSent: number, spec: PacketSpec = {}): SentPacket<string> {
  const ackEliciting = spec.ackEliciting ?? true;
  return {
    pn,
    timeSent,
    size: spec.size ?? 1200,
    ackEliciting,
    inFlight: spec.inFlight ?? ackEliciting,
    largestAcked: spec.largestAcked ?? -1,
    frames: `frames of ${pn}`,
  };
}

export function send(
  target: LossDetection<string> | Recovery<string>, space: PacketNumberSpace, pn: number, timeSent: number, spec: PacketSpec = {},
): SentPacket<string> {
  const p = packet(pn, timeSent, spec);
  target.onPacketSent(space, p);
  return p;
}

export const pns = (packets: readonly SentPacket<unknown>[]): number[] => packets.map((p) => p.pn);
