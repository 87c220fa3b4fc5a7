// The Triggers tab's SNS subscriptions: every subscription of the account's topics to
// the function (any qualifier), with its filter policy, and a warning on each that the
// function's policy does not let SNS invoke (its deliveries fail), with the AWS CLI
// command that fixes it and a button that does. Add subscribes the function to a topic
// of the account after adding that permission, as the Lambda console does; Remove
// unsubscribes and leaves the permission (AWS's console leaves it too: it may serve
// other subscriptions, or have been written by someone else).
import { useCallback, useState } from "preact/hooks";
import { addPermissionCommand, allowSns, listTopics, subscribe, topicName, unsubscribe } from "../sns.js";
import { type SnsBinding, snsBindings } from "../triggers.js";
import { Status, useAction, useLoad } from "./load-status.js";

/** ":alias" or ":7" when the subscription is to a qualifier of the function. */
const qualifierOf = (b: SnsBinding) => {
  const q = b.Endpoint.split(":")[7];
  return q === undefined ? "" : `:${q}`;
};

export function SnsSection(props: { name: string; arn: string }) {
  const [list, reload] = useLoad<SnsBinding[]>(useCallback(() => snsBindings(props.name), [props.name]));
  const [topics] = useLoad<string[]>(useCallback(() => listTopics(), []));
  const [pick, setPick] = useState("");
  const { busy, error, act } = useAction(reload);
  const chosen = pick || topics.value?.[0] || "";
  return (
    <section aria-labelledby="trig-sns">
      <h2 id="trig-sns">SNS subscriptions</h2>
      <Status of={list} what="SNS subscriptions" />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list.value?.length === 0 && <p>None.</p>}
      {list.value && list.value.length > 0 && (
        <ul>
          {list.value.map((b) => {
            const topic = topicName(b.TopicArn);
            return (
              <li key={b.SubscriptionArn}>
                <span title={b.TopicArn}>{topic}</span>{" "}
                <span class="muted">
                  ({b.TopicArn}
                  {qualifierOf(b) ? `, to ${qualifierOf(b)}` : ""})
                </span>{" "}
                <button
                  type="button"
                  disabled={busy !== ""}
                  aria-label={`Remove SNS trigger from ${topic}`}
                  onClick={() => act(b.SubscriptionArn, () => unsubscribe(b.SubscriptionArn))}
                >
                  {busy === b.SubscriptionArn ? "Removing…" : "Remove"}
                </button>
                {b.FilterPolicy && (
                  <div>
                    Filter policy ({b.FilterPolicyScope ?? "MessageAttributes"}): <code>{b.FilterPolicy}</code>
                  </div>
                )}
                {!b.SnsMayInvoke && (
                  <div class="warning">
                    <p>
                      The function's policy does not let SNS invoke it for {topic}: every delivery of this subscription
                      will fail. Allow it here, or run:
                    </p>
                    <pre>
                      <code>{addPermissionCommand(b.Endpoint, b.TopicArn, window.location.origin)}</code>
                    </pre>
                    <button
                      type="button"
                      disabled={busy !== ""}
                      aria-label={`Allow SNS to invoke for ${topic}`}
                      onClick={() => act(`allow ${b.SubscriptionArn}`, () => allowSns(b.Endpoint, b.TopicArn))}
                    >
                      Allow SNS to invoke
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <Status of={topics} what="topics" />
      {topics.value?.length === 0 && <p>No topics in this account to subscribe to.</p>}
      {topics.value && topics.value.length > 0 && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const topic = chosen;
            void act("add", async () => {
              await allowSns(props.arn, topic);
              await subscribe(topic, props.arn);
            });
          }}
        >
          <label>
            Topic
            <select value={chosen} onChange={(e) => setPick(e.currentTarget.value)}>
              {topics.value.map((t) => (
                <option key={t} value={t}>
                  {topicName(t)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy !== ""}>
            {busy === "add" ? "Adding…" : "Add SNS trigger"}
          </button>
        </form>
      )}
    </section>
  );
}
