/**
 * `ConnectionLoadBalancer`: hands out WebTransport connections to a set of server targets by
 * strategy ('round_robin', 'weighted' smooth weighted round robin, 'least_latency' from the last
 * health check), keeps one pooled connection per target, and checks each target's health on an
 * interval, each check bounded by a timeout. An unhealthy target gets no connections and its
 * pooled one is closed; it is used again once a check passes.
 * @module
 */
import { LoadBalancerError, LoadBalancerErrorCode } from '../errors.ts';
import type { ClientConfig } from './config.ts';
import { WebTransportConnection } from './web-transport-connection.ts';

export type LoadBalancingStrategy = 'round_robin' | 'weighted' | 'least_latency';

/** A server to balance over: an https URL (its path is ignored), a weight (default 1). */
export interface LoadBalancerTargetInit {
  readonly url: string;
  /** Default: the URL. */
  readonly id?: string;
  readonly weight?: number;
}

/** Opens a connection to a target (default: `WebTransportConnection.connect(url, config)`). */
export type ConnectionFactory = (url: string, config: Partial<ClientConfig>) => Promise<WebTransportConnection>;

/**
 * Checks a target: true (or a latency in ms) when healthy, false or a throw when not. The
 * default connects to the target and closes again, timing it.
 */
export type HealthChecker = (target: TargetStats, config: Partial<ClientConfig>) => Promise<boolean | number>;

export interface ConnectionLoadBalancerOptions {
  readonly targets: readonly (string | LoadBalancerTargetInit)[];
  readonly connectionFactory?: ConnectionFactory;
  readonly healthChecker?: HealthChecker;
  /** ms between health checks of every target (default 30 000; 0: only `checkHealth()`). */
  readonly healthCheckInterval?: number;
  /** A check that takes longer fails (ms, default 5000). */
  readonly healthCheckTimeout?: number;
  /** Client config of the connections and the default health check. */
  readonly config?: Partial<ClientConfig>;
  /** Strategy when `getConnection` names none (default 'round_robin'). */
  readonly strategy?: LoadBalancingStrategy;
}

export interface TargetStats {
  readonly id: string;
  readonly url: string;
  readonly weight: number;
  readonly healthy: boolean;
  /** Latency of the last passing health check, ms (undefined: none yet). */
  readonly latencyMs: number | undefined;
  /** When the last check ended (ms since the epoch). */
  readonly lastCheckAt: number | undefined;
  readonly consecutiveFailures: number;
  readonly healthChecks: number;
  /** Times `getConnection` picked this target. */
  readonly selections: number;
  /** Connections opened to it, and connects that failed. */
  readonly connectionsOpened: number;
  readonly connectFailures: number;
  /** It has a live pooled connection. */
  readonly connected: boolean;
}

export interface LoadBalancerStats {
  readonly totalTargets: number;
  readonly healthyTargets: number;
  readonly activeConnections: number;
  readonly totalRequests: number;
  readonly failedRequests: number;
  readonly healthChecks: number;
  readonly isShutDown: boolean;
}

interface Target {
  readonly id: string;
  readonly url: string;
  weight: number;
  healthy: boolean;
  latencyMs: number | undefined;
  lastCheckAt: number | undefined;
  consecutiveFailures: number;
  healthChecks: number;
  selections: number;
  connectionsOpened: number;
  connectFailures: number;
  /** Smooth weighted round robin state. */
  current: number;
  connection: Promise<WebTransportConnection> | undefined;
  live: WebTransportConnection | undefined;
}

function checkWeight(w: number): number {
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new LoadBalancerError(LoadBalancerErrorCode.INVALID_WEIGHT, `not a weight: ${String(w)}`);
  return w;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check took more than ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

export class ConnectionLoadBalancer {
  readonly healthCheckInterval: number;
  readonly healthCheckTimeout: number;
  readonly connectionFactory: ConnectionFactory;
  readonly healthChecker: HealthChecker;
  readonly #targets: Target[];
  readonly #config: Partial<ClientConfig>;
  readonly #strategy: LoadBalancingStrategy;
  #rr = 0;
  #requests = 0;
  #failed = 0;
  #checks = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #checking: Promise<void> | undefined;
  #shutDown = false;

  constructor(options: ConnectionLoadBalancerOptions) {
    this.#config = options.config ?? {};
    this.#strategy = options.strategy ?? 'round_robin';
    this.healthCheckInterval = options.healthCheckInterval ?? 30_000;
    this.healthCheckTimeout = options.healthCheckTimeout ?? 5000;
    this.connectionFactory = options.connectionFactory ?? ((url, config) => WebTransportConnection.connect(url, config));
    this.healthChecker = options.healthChecker ?? (async (t, config) => {
      const t0 = performance.now();
      const c = await WebTransportConnection.connect(t.url, { ...config, connectTimeout: this.healthCheckTimeout });
      const ms = performance.now() - t0;
      await c.close({ timeout: 200 });
      return ms;
    });
    const ids = new Set<string>();
    this.#targets = options.targets.map((t) => {
      const init = typeof t === 'string' ? { url: t } : t;
      const url = new URL(init.url);
      const id = init.id ?? init.url;
      if (ids.has(id)) throw new TypeError(`two targets with the id ${id}`);
      ids.add(id);
      return {
        id, url: `${url.protocol}//${url.host}`, weight: checkWeight(init.weight ?? 1), healthy: true, latencyMs: undefined, lastCheckAt: undefined,
        consecutiveFailures: 0, healthChecks: 0, selections: 0, connectionsOpened: 0, connectFailures: 0, current: 0,
        connection: undefined, live: undefined,
      };
    });
    this.#schedule();
  }

  /** The targets as they stand. */
  get targets(): TargetStats[] {
    return this.#targets.map((t) => this.#stats(t));
  }

  /**
   * A connection to a healthy target picked by `strategy`: the target's pooled connection when
   * it is still connected, else a new one from the factory (`path` becomes its default session
   * path). A target whose connect fails is marked unhealthy and the next one is tried.
   */
  async getConnection(options: { config?: Partial<ClientConfig>; path?: string; strategy?: LoadBalancingStrategy } = {}): Promise<WebTransportConnection> {
    if (this.#shutDown) throw new LoadBalancerError(LoadBalancerErrorCode.SHUT_DOWN, 'the load balancer is shut down');
    this.#requests++;
    const tried = new Set<Target>();
    let lastError: unknown;
    for (;;) {
      const target = this.#pick(options.strategy ?? this.#strategy, tried);
      if (target === undefined) {
        this.#failed++;
        if (tried.size > 0) throw new LoadBalancerError(LoadBalancerErrorCode.CONNECT_FAILED, 'no target could be connected to', { cause: lastError });
        throw new LoadBalancerError(LoadBalancerErrorCode.NO_HEALTHY_TARGET, 'no healthy target');
      }
      tried.add(target);
      target.selections++;
      try {
        return await this.#connectionOf(target, options.config ?? {}, options.path ?? '/');
      } catch (e) {
        lastError = e;
        target.connectFailures++;
        target.healthy = false;
      }
    }
  }

  updateTargetWeight(id: string, weight: number): void {
    const t = this.#target(id);
    t.weight = checkWeight(weight);
    for (const x of this.#targets) x.current = 0;
  }

  getTargetStats(id: string): TargetStats {
    return this.#stats(this.#target(id));
  }

  getLoadBalancerStats(): LoadBalancerStats {
    return {
      totalTargets: this.#targets.length,
      healthyTargets: this.#targets.filter((t) => t.healthy).length,
      activeConnections: this.#targets.filter((t) => t.live?.isConnected === true).length,
      totalRequests: this.#requests,
      failedRequests: this.#failed,
      healthChecks: this.#checks,
      isShutDown: this.#shutDown,
    };
  }

  /** Checks every target now (each bounded by the timeout); resolves when all are done. */
  checkHealth(): Promise<void> {
    this.#checking ??= Promise.all(this.#targets.map((t) => this.#check(t))).then(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /** Closes every pooled connection (the targets stay). */
  async closeAllConnections(): Promise<void> {
    await Promise.all(this.#targets.map((t) => this.#drop(t)));
  }

  /** Stops the health checks and closes every pooled connection; later calls are refused. */
  async shutdown(): Promise<void> {
    this.#shutDown = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#checking;
    await this.closeAllConnections();
  }

  #schedule(): void {
    if (this.#shutDown || this.healthCheckInterval <= 0) return;
    this.#timer = setTimeout(() => {
      void this.checkHealth().then(() => this.#schedule());
    }, this.healthCheckInterval);
    this.#timer.unref?.();
  }

  async #check(t: Target): Promise<void> {
    const t0 = performance.now();
    let ok: boolean;
    let latency: number | undefined;
    try {
      const r = await withTimeout(this.healthChecker(this.#stats(t), this.#config), this.healthCheckTimeout);
      ok = r !== false;
      latency = typeof r === 'number' ? r : performance.now() - t0;
    } catch {
      ok = false;
    }
    this.#checks++;
    t.healthChecks++;
    t.lastCheckAt = Date.now();
    if (ok) {
      t.healthy = true;
      t.consecutiveFailures = 0;
      t.latencyMs = latency;
    } else {
      t.healthy = false;
      t.consecutiveFailures++;
      await this.#drop(t);
    }
  }

  #pick(strategy: LoadBalancingStrategy, exclude: ReadonlySet<Target>): Target | undefined {
    const healthy = this.#targets.filter((t) => t.healthy && !exclude.has(t));
    if (healthy.length === 0) return undefined;
    switch (strategy) {
      case 'round_robin': {
        // the next healthy target after the last one picked, in the configured order
        for (let i = 0; i < this.#targets.length; i++) {
          const t = this.#targets[(this.#rr + i) % this.#targets.length]!;
          if (healthy.includes(t)) {
            this.#rr = (this.#targets.indexOf(t) + 1) % this.#targets.length;
            return t;
          }
        }
        return undefined;
      }
      case 'weighted': {
        // smooth weighted round robin: each pick adds every weight, takes the largest, subtracts the total
        const weighted = healthy.filter((t) => t.weight > 0);
        if (weighted.length === 0) return undefined;
        let total = 0;
        let best: Target | undefined;
        for (const t of weighted) {
          t.current += t.weight;
          total += t.weight;
          if (best === undefined || t.current > best.current) best = t;
        }
        best!.current -= total;
        return best;
      }
      case 'least_latency': {
        let best: Target | undefined;
        for (const t of healthy) {
          const l = t.latencyMs ?? Infinity;
          if (best === undefined || l < (best.latencyMs ?? Infinity)) best = t;
        }
        return best;
      }
      default:
        throw new TypeError(`unknown strategy ${String(strategy)}`);
    }
  }

  async #connectionOf(t: Target, config: Partial<ClientConfig>, path: string): Promise<WebTransportConnection> {
    if (t.live !== undefined && t.live.isConnected) return t.live;
    if (t.connection !== undefined && t.live === undefined) return t.connection;
    t.live = undefined;
    const p = this.connectionFactory(`${t.url}${path.startsWith('/') ? path : `/${path}`}`, { ...this.#config, ...config });
    t.connection = p;
    try {
      const c = await p;
      t.live = c;
      t.connectionsOpened++;
      return c;
    } catch (e) {
      t.connection = undefined;
      throw e;
    }
  }

  async #drop(t: Target): Promise<void> {
    const p = t.connection;
    t.connection = undefined;
    t.live = undefined;
    const c = await p?.catch(() => undefined);
    await c?.close({ timeout: 500 });
  }

  #target(id: string): Target {
    const t = this.#targets.find((x) => x.id === id);
    if (t === undefined) throw new LoadBalancerError(LoadBalancerErrorCode.UNKNOWN_TARGET, `no target ${id}`);
    return t;
  }

  #stats(t: Target): TargetStats {
    return {
      id: t.id, url: t.url, weight: t.weight, healthy: t.healthy, latencyMs: t.latencyMs, lastCheckAt: t.lastCheckAt,
      consecutiveFailures: t.consecutiveFailures, healthChecks: t.healthChecks, selections: t.selections,
      connectionsOpened: t.connectionsOpened, connectFailures: t.connectFailures, connected: t.live?.isConnected === true,
    };
  }
}
