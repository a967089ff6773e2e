/** Every queue of the protocol, by stage. The proof path consumes `prove`, `settle`, `verify` and `claim`. */
export const QueueName = {
  /** request seen on chain -> run the model (workers/executor) */
  execute: "execute",
  /** output ready -> send it on chain with the node's key (workers/sender) */
  submit: "submit",
  /** a request we cannot serve -> refund it once its deadline passed (workers/sender) */
  refund: "refund",
  /** result mined -> prove it (workers/prover) */
  prove: "prove",
  /** OPTIMISTIC result not contradicted -> settleUnchallenged once the window closes (workers/prover) */
  settle: "settle",
  /** proof submitted -> verify and attest (workers/verifier-node; one queue per node) */
  verify: "verify",
  /** attested request settled -> claim the verifier reward (workers/verifier-node; one queue per node) */
  claim: "claim",
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const ALL_QUEUES: QueueName[] = Object.values(QueueName);
