import type { Address } from "viem";
import type { TwinpathPublicClient } from "./client.js";
import { getRequests, type GetRequestReturnType } from "./getRequest.js";
import { Batcher } from "../shared/batcher.js";

/**
 * Request records read through the hub's getRequests: the reads that a worker's concurrent jobs make at about the
 * same time share one call (those made while a call is on its way gather for the next one). A node answers each
 * eth_call on its own, so one call per job was most of what a busy fast path asked of it. A failed call fails the
 * reads it carried (each job retries on its own).
 */
export class RequestReader {
  private readonly byHub = new Map<string, Batcher<bigint, GetRequestReturnType>>();

  constructor(
    private readonly client: TwinpathPublicClient,
    /** ids per call at most @defaultValue 256 */
    private readonly maxBatchSize = 256,
  ) {}

  get(hub: Address, requestId: bigint): Promise<GetRequestReturnType> {
    const key = hub.toLowerCase();
    let batcher = this.byHub.get(key);
    if (!batcher) {
      batcher = new Batcher({
        maxBatchSize: this.maxBatchSize,
        maxWaitMs: 0, // the reads of one turn of the event loop, and those made while a call is on its way
        gatherWhileSending: true,
        maxInFlight: 2,
        send: async (requestIds) => (await getRequests(this.client, { hub, requestIds })).map((value) => ({ ok: true as const, value })),
      });
      this.byHub.set(key, batcher);
    }
    return batcher.submit(requestId);
  }

  /** The records of `requestIds`, in order (as many calls as maxBatchSize makes it). */
  getMany(hub: Address, requestIds: readonly bigint[]): Promise<GetRequestReturnType[]> {
    return Promise.all(requestIds.map((id) => this.get(hub, id)));
  }
}
