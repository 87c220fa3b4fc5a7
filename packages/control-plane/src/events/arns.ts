// The ARNs of EventBridge buses and rules: a rule on the default bus is rule/<name>,
// on another bus rule/<bus>/<name>, as AWS names them.
import { DEFAULT_BUS } from "../store/event-store.js";

export const busArn = (region: string, accountId: string, name: string) =>
  `arn:aws:events:${region}:${accountId}:event-bus/${name}`;

export const ruleArn = (region: string, r: { accountId: string; busName: string; name: string }) =>
  `arn:aws:events:${region}:${r.accountId}:rule/${r.busName === DEFAULT_BUS ? "" : `${r.busName}/`}${r.name}`;
