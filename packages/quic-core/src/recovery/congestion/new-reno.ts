/**
 * NewReno (RFC 9002 §7.3 and Appendix B): the classic core with additive increase of one
 * maximum datagram size per window of acknowledged bytes and a halving on congestion.
 * @module
 */
import { ClassicController, type ClassicOptions, type WindowAdjustment } from './classic.ts';

/** kLossReductionFactor (RFC 9002 B.1). */
export const NEW_RENO_LOSS_REDUCTION = 0.5;

/**
 * Congestion avoidance by byte counting (RFC 3465 §2.1, as RFC 9002 B.5 suggests for integer
 * windows): once a whole window's worth of bytes is acknowledged, the window grows by one
 * maximum datagram size.
 */
export class NewRenoWindow implements WindowAdjustment {
  #ackedBytes = 0;
  #undoAckedBytes = 0;

  increase(cwnd: number, ackedBytes: number, _now: number, _srtt: number, mds: number): number {
    this.#ackedBytes += ackedBytes;
    let add = 0;
    while (this.#ackedBytes >= cwnd + add) {
      this.#ackedBytes -= cwnd + add;
      add += mds;
    }
    return add;
  }

  onCongestionEvent(cwnd: number): number {
    this.#ackedBytes = 0;
    return cwnd * NEW_RENO_LOSS_REDUCTION;
  }

  onPersistentCongestion(): void {
    this.#ackedBytes = 0;
  }

  onAppLimited(): void {}

  saveUndo(): void {
    this.#undoAckedBytes = this.#ackedBytes;
  }

  restoreUndo(): void {
    this.#ackedBytes = this.#undoAckedBytes;
  }

  reset(): void {
    this.#ackedBytes = 0;
  }
}

export class NewReno extends ClassicController {
  constructor(options: ClassicOptions = {}) {
    super('newreno', new NewRenoWindow(), options);
  }
}
