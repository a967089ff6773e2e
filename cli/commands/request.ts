/**
 * `twinpath request` and `twinpath status`: send inference requests and follow them through their life — requested,
 * result (fast path), proof, attestations, settled or refunded — with times, and print the decoded answer. Built on
 * the client library (client/): encoding at the model's scale, the hub's quote, simulate-then-send, the lifecycle
 * watcher and the timeline.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";
import { WatchTimeoutError, type NestedNumbers, type RequestTimeline, type TwinpathClient, type TwinpathModel } from "../../client/index.js";
import { protocolErrorOf } from "../../workers/chain/protocolError.js";
import { parseAmount, parseUint } from "../args.js";
import { contextOf, optionsOf } from "../command.js";
import type { CliContext } from "../context.js";
import { CliUsageError } from "../errors.js";
import { answerText, decodeAnswer, describeEvent, stepLine, timelineAnswer, type LifecycleStep } from "../lifecycle.js";
import { eth, type Output } from "../output.js";

type Nested = number | Nested[];
const isNested = (v: unknown): v is Nested => typeof v === "number" ? Number.isFinite(v) : Array.isArray(v) && v.every(isNested);

/** One input: a JSON number array (nested rows allowed, row-major). Repeatable. */
const parseInput = (value: string, previous: NestedNumbers[] = []): NestedNumbers[] => {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`not JSON: ${value} (e.g. '[0.5, -0.3, 0.8, 1.1]')`);
  }
  if (!Array.isArray(v) || !isNested(v)) throw new InvalidArgumentError("expected a JSON array of numbers (nested rows allowed)");
  return [...previous, v];
};
const parseLabels = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);
const seconds = (lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`expected whole seconds in ${lo}..${hi}`);
  return n;
};

interface RequestFlags {
  model: bigint;
  input: NestedNumbers[];
  fee?: bigint;
  labels?: string[];
  resultTimeout?: number;
  proofTimeout?: number;
  follow: boolean;
  until: "result" | "settled";
  timeout: number;
  json?: boolean;
}

/** What one request came to, for --json and the summary. */
interface Followed {
  requestId: bigint;
  modelId: bigint;
  transactionHash: string;
  blockNumber: bigint;
  fee: bigint;
  input: { values: NestedNumbers; fixedPoint: readonly bigint[] };
  status: string;
  timeline: LifecycleStep[];
  answer?: { values: number[]; fixedPoint: bigint[]; label?: string; verified: boolean };
  /** wall-clock seconds from the request's receipt to the result, and to the end state */
  fastSeconds?: number;
  finalSeconds?: number;
  timedOut?: boolean;
}

/**
 * Follows one request (events printed as they arrive, prefixed with the id when several are followed) until it is
 * settled or refunded (or only until its result with `until: "result"`), or `timeoutMs` passes.
 */
async function follow(
  tp: TwinpathClient,
  out: Output,
  f: Followed,
  o: { model: TwinpathModel; labels?: string[]; until: "result" | "settled"; timeoutMs: number; minedAt: number; prefix: string; pollingInterval: number },
): Promise<Followed> {
  let requestedAt: number | undefined;
  const controller = new AbortController();
  try {
    for await (const e of tp.watchRequest(f.requestId, { fromBlock: f.blockNumber, timeoutMs: o.timeoutMs, pollingInterval: o.pollingInterval, signal: controller.signal })) {
      if (e.eventName === "InferenceRequested") requestedAt = e.timestamp;
      const s = describeEvent(e, { model: o.model, labels: o.labels, requestedAt });
      if (!s) continue;
      const t = (Date.now() - o.minedAt) / 1000;
      s.seconds = e.eventName === "InferenceRequested" ? 0 : Math.max(0, t);
      f.timeline.push(s);
      out.line(`${o.prefix}${stepLine(s)}`);
      if (s.step === "result") f.fastSeconds ??= s.seconds;
      if (s.step === "settled" || s.step === "refunded") f.finalSeconds = s.seconds;
      if (o.until === "result" && s.step === "result") controller.abort();
    }
  } catch (err) {
    if (!(err instanceof WatchTimeoutError)) throw err;
    f.timedOut = true;
  }
  const t = await tp.getRequestTimeline(f.requestId, { fromBlock: f.blockNumber });
  f.status = t.statusName;
  const a = timelineAnswer(t);
  if (a) {
    const d = decodeAnswer(o.model, a.raw, o.labels);
    f.answer = { values: d.values, fixedPoint: d.fixedPoint, label: d.label, verified: a.verified };
  }
  return f;
}

function summaryLines(f: Followed): string[] {
  const lines: string[] = [];
  if (f.answer) {
    const text = answerText({ values: f.answer.values, fixedPoint: f.answer.fixedPoint, label: f.answer.label, shape: [] });
    lines.push(`answer: ${text}${f.answer.verified ? " (settled: verified)" : " (fast path: not verified yet)"}`);
  }
  const times = [f.fastSeconds !== undefined ? `result after ${f.fastSeconds.toFixed(1)} s` : undefined, f.finalSeconds !== undefined ? `${f.status.toLowerCase()} after ${f.finalSeconds.toFixed(1)} s` : undefined].filter(Boolean);
  lines.push(`request #${f.requestId}: ${f.status}${times.length ? ` (${times.join(", ")})` : ""}`);
  if (f.timedOut) lines.push(`  still ${f.status} when the wait ended: follow it with \`twinpath status ${f.requestId}\``);
  return lines;
}

async function modelOf(tp: TwinpathClient, modelId: bigint): Promise<TwinpathModel> {
  try {
    return await tp.getModel(modelId);
  } catch (err) {
    if (protocolErrorOf(err)?.errorName !== "ModelRegistryUnknownModel") throw err;
    const count = await tp.listModels().then((m) => m.length).catch(() => undefined);
    throw new CliUsageError(`no model #${modelId} on this chain${count !== undefined ? ` (${count} registered: \`twinpath model list\`)` : ""}`, { cause: err });
  }
}

/**
 * The hub's refusal of an input outside the model's admitted domain (nothing was sent: the client simulates first),
 * restated in the user's numbers: which element, its value, and the interval the model admits there.
 */
function outOfDomain(err: unknown, model: TwinpathModel, values: NestedNumbers): CliUsageError | undefined {
  const e = protocolErrorOf(err);
  if (e?.errorName !== "InferenceHubInputOutOfDomain") return undefined;
  const [index, value, lower, upper] = e.args;
  const real = (v: bigint) => Number(v) / 2 ** model.input.scale;
  const given = ([values].flat(Infinity as 1) as number[])[Number(index)];
  return new CliUsageError(
    `input element ${index} is ${given ?? real(value)}, outside model #${model.id}'s admitted domain there: [${real(lower)}, ${real(upper)}] ` +
      `(the range its bundle was calibrated and proven for; fixed point ${value} at scale ${model.input.scale}, admitted ${lower}..${upper}). Nothing was sent.`,
    { cause: err },
  );
}

export function requestCommand(): Command {
  return new Command("request")
    .description(
      "Send an inference request (paying the hub's quote) and follow it: requested, result (fast path), proof, " +
        "attestations, settled or refunded, with times; then print the decoded answer (the class label with --labels, " +
        "or the labels the dev stack knows for its models). Several --input send several requests, followed together.",
    )
    .addOption(new Option("-m, --model <id>", "the model version to run (`twinpath model list`)").argParser(parseUint).makeOptionMandatory())
    .addOption(new Option("-i, --input <json>", "the input as real numbers, a JSON array (nested rows allowed, row-major); encoded at the model's input scale; repeat for several requests").argParser(parseInput).makeOptionMandatory())
    .addOption(new Option("--fee <amount>", "value to send (default: the hub's quote: the model's price plus the callback budget)").argParser(parseAmount))
    .addOption(new Option("--labels <names>", "class names of the output, comma-separated (one per output value)").argParser(parseLabels))
    .addOption(new Option("--result-timeout <s>", "seconds the executor has for the result (default: the hub's)").argParser(seconds(1, 7 * 86_400)))
    .addOption(new Option("--proof-timeout <s>", "seconds from the result to the proof deadline (default: the hub's)").argParser(seconds(1, 30 * 86_400)))
    .option("--no-follow", "print the request id and return without following it")
    .addOption(new Option("--until <step>", "follow until the result (fast path) or the settlement").choices(["result", "settled"]).default("settled"))
    .addOption(new Option("--timeout <s>", "stop following after this long (the request goes on; `twinpath status` reads it later)").default(300).argParser(seconds(1, 86_400)))
    .option("--json", "print the requests, their timelines and answers as JSON")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<RequestFlags>(cmd);
      const ctx = contextOf(cmd);
      await runRequests(ctx, o);
    });
}

async function runRequests(ctx: CliContext, o: RequestFlags): Promise<void> {
  const tp = await ctx.twinpath(true);
  const { client } = await ctx.chain();
  const model = await modelOf(tp, o.model);
  const labels = await ctx.labelsFor(o.model, o.labels);
  const options = { resultTimeout: o.resultTimeout, proofTimeout: o.proofTimeout };
  const inputs = o.input.map((values) => ({ values, fixedPoint: [] as readonly bigint[] }));
  for (const i of inputs) i.fixedPoint = await tp.encodeInput(o.model, i.values);
  const fee = o.fee ?? (await tp.quoteFee(o.model, options));

  // One transaction per request: the hub has no batch entry point for requests yet (when it gets one, send them
  // together here).
  const followed: { f: Followed; minedAt: number }[] = [];
  for (const [n, i] of inputs.entries()) {
    const done = ctx.out.step(`sending ${inputs.length > 1 ? `request ${n + 1}/${inputs.length}` : "the request"} to model #${o.model} (${model.modeName}), paying ${eth(fee)}${o.fee === undefined ? " (the hub's quote)" : ""}`);
    const r = await tp.requestInference({ modelId: o.model, input: { fixedPoint: i.fixedPoint }, fee, options }).catch((err: unknown) => {
      throw outOfDomain(err, model, i.values) ?? err;
    });
    const minedAt = Date.now();
    done(`request #${r.requestId} in block ${r.blockNumber}`);
    followed.push({ minedAt, f: { requestId: r.requestId, modelId: o.model, transactionHash: r.transactionHash, blockNumber: r.blockNumber, fee, input: i, status: requestStatusName(RequestStatus.Requested), timeline: [] } });
  }

  if (!o.follow) {
    const list = followed.map((x) => x.f);
    ctx.out.result(list.length === 1 ? list[0] : { requests: list }, () => list.map((f) => `request #${f.requestId} sent (tx ${f.transactionHash}); follow it with \`twinpath status ${f.requestId}\``));
    return;
  }
  if (!ctx.out.json) ctx.out.line(`following ${followed.length > 1 ? `${followed.length} requests` : `request #${followed[0].f.requestId}`} until ${o.until === "result" ? "its result" : "settled or refunded"} (Ctrl-C stops watching, not the request):`);
  const pollingInterval = client.chain.id === 31337 ? 250 : 2000;
  await Promise.all(
    followed.map(({ f, minedAt }) =>
      follow(tp, ctx.out, f, { model, labels, until: o.until, timeoutMs: o.timeout * 1000, minedAt, prefix: followed.length > 1 ? `#${f.requestId}` : "", pollingInterval }),
    ),
  );
  const list = followed.map((x) => x.f);
  ctx.out.result(list.length === 1 ? list[0] : { requests: list }, () => ["", ...list.flatMap(summaryLines)]);
  const wanted = o.until === "result" ? (f: Followed) => f.fastSeconds !== undefined : (f: Followed) => f.status === requestStatusName(RequestStatus.Settled);
  if (!list.every(wanted)) process.exitCode = 1;
}

export function statusCommand(): Command {
  return new Command("status")
    .description("A request's timeline (each step with its block and chain time), its status now and its answer")
    .argument("<requestId>", "the request id (`twinpath request` prints it)", parseUint)
    .addOption(new Option("--labels <names>", "class names of the output, comma-separated").argParser(parseLabels))
    .option("--json", "print the timeline as JSON")
    .action(async (requestId: bigint, _o, cmd: Command) => {
      const o = optionsOf<{ labels?: string[] }>(cmd);
      const ctx = contextOf(cmd);
      const tp = await ctx.twinpath();
      const t: RequestTimeline = await tp.getRequestTimeline(requestId);
      const model = t.modelId !== undefined ? await tp.getModel(t.modelId) : undefined;
      const labels = t.modelId !== undefined ? await ctx.labelsFor(t.modelId, o.labels) : undefined;
      const requestedAt = t.requested?.timestamp;
      const steps = t.events.map((e) => describeEvent(e, { model, labels, requestedAt })).filter((s): s is LifecycleStep => s !== undefined);
      const a = timelineAnswer(t);
      const d = a && model ? decodeAnswer(model, a.raw, labels) : undefined;
      const open = t.status !== RequestStatus.Settled && t.status !== RequestStatus.Refunded;
      const record = open ? await tp.publicClient.readContract({ address: tp.addresses.hub, abi: inferenceHubAbi, functionName: "getRequest", args: [requestId] }) : undefined;
      // the deadline the request waits on now: its result's, then its proof's (and the quorum's under attestation)
      const deadline = record ? (t.status === RequestStatus.Requested ? record.resultDeadline : record.verifyDeadline > 0n ? record.verifyDeadline : record.proofDeadline) : undefined;
      const result = {
        requestId,
        modelId: t.modelId,
        consumer: t.consumer,
        status: t.statusName,
        timeline: steps,
        answer: d && a ? { values: d.values, fixedPoint: d.fixedPoint, label: d.label, verified: a.verified } : undefined,
        fastSeconds: t.fastSeconds,
        finalSeconds: t.finalSeconds,
        nextDeadline: deadline,
      };
      ctx.out.result(result, () => [
        `request #${requestId}: ${t.statusName}${t.modelId !== undefined ? ` (model #${t.modelId})` : ""}`,
        ...steps.map(stepLine),
        ...(d && a ? [`answer: ${answerText(d)}${a.verified ? " (settled: verified)" : " (fast path: not verified yet)"}`] : []),
        ...(t.fastSeconds !== undefined ? [`result ${t.fastSeconds} s after the request${t.finalSeconds !== undefined ? `, ${t.statusName.toLowerCase()} after ${t.finalSeconds} s` : ""} (chain time)`] : []),
        ...(deadline ? [`open: the next deadline is ${new Date(Number(deadline) * 1000).toISOString()} (chain time); a missed deadline refunds the consumer`] : []),
      ]);
    });
}
