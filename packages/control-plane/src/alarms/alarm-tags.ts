// CloudWatch's TagResource, UntagResource and ListTagsForResource, by the ARN of one
// of the caller's alarms (arn:aws:cloudwatch:<region>:<account>:alarm:<name>), in
// CloudWatch's [{Key, Value}] shape. Terraform reads an alarm's tags this way after
// every create and refresh. Other CloudWatch resources (Contributor Insights rules)
// are not served.
import { StratusError } from "@stratus/shared";
import { type Body, invalidValue, list, onlyKnown, required, text } from "../monitoring/cloudwatch-input.js";
import type { AlarmStore } from "../store/alarm-store.js";
import { MAX_TAGS, tagList } from "./alarm-input.js";

const ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):([a-z-]+):(.+)$/;

const notFound = (arn: string) =>
  new StratusError("ResourceNotFoundException", 404, "client", `The resource ${arn} does not exist.`);

export function createAlarmTags(store: Pick<AlarmStore, "get" | "changeTags">, region: string) {
  /** The alarm name `b.ResourceARN` names in the caller's account and this region. */
  function alarmOf(accountId: string, b: Body): { arn: string; name: string } {
    const arn = required(b, "ResourceARN", (v, f) => text(v, f, 1011));
    const m = ARN.exec(arn);
    if (!m) throw invalidValue(`The parameter ResourceARN (${arn}) is not a CloudWatch ARN`);
    const [, inRegion, account, kind, name] = m as unknown as [string, string, string, string, string];
    if (kind !== "alarm") {
      throw invalidValue(`The parameter ResourceARN names a ${kind}: Stratus tags CloudWatch alarms only`);
    }
    if (inRegion !== region || account !== accountId) throw notFound(arn);
    return { arn, name };
  }

  async function change(accountId: string, b: Body, add: Record<string, string>, remove: string[]) {
    const { arn, name } = alarmOf(accountId, b);
    const result = await store.changeTags(accountId, name, add, remove);
    if (result === "missing") throw notFound(arn);
    if (result === "too-many") throw invalidValue(`An alarm can have at most ${MAX_TAGS} tags`);
    return {};
  }

  return {
    async listTagsForResource(accountId: string, b: Body): Promise<Body> {
      onlyKnown(b, ["ResourceARN"], "");
      const { arn, name } = alarmOf(accountId, b);
      const alarm = await store.get(accountId, name);
      if (!alarm) throw notFound(arn);
      const keys = Object.keys(alarm.tags).sort();
      return { Tags: keys.map((Key) => ({ Key, Value: alarm.tags[Key] })) };
    },
    async tagResource(accountId: string, b: Body): Promise<Body> {
      onlyKnown(b, ["ResourceARN", "Tags"], "");
      return change(accountId, b, required(b, "Tags", tagList), []);
    },
    async untagResource(accountId: string, b: Body): Promise<Body> {
      onlyKnown(b, ["ResourceARN", "TagKeys"], "");
      const keys = required(
        b,
        "TagKeys",
        list(MAX_TAGS, (v, f) => text(v, f, 128)),
      );
      return change(accountId, b, {}, keys);
    },
  };
}
