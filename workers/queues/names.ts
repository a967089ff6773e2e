/** Every queue of the protocol, by stage. The proof path consumes `prove` and `verify`. */
export const QueueName = {
  /** request seen on chain -> run the model (workers/executor) */
  execute: "execute",
  /** output ready -> send it on chain with the node's key (workers/sender) */
  submit: "submit",
  /** result mined -> prove it (proof path) */
  prove: "prove",
  /** proof submitted -> verification nodes (proof path) */
  verify: "verify",
  /** a request we cannot serve -> refund it once its deadline passed (workers/sender) */
  refund: "refund",
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const ALL_QUEUES: QueueName[] = Object.values(QueueName);
