// A queue consumer for an event source mapping with
// FunctionResponseTypes ["ReportBatchItemFailures"]: each message's body is an order in
// JSON; a message that cannot be processed is reported by its id, so only it is
// delivered again, and the rest of the batch is done. Takes SQS batches (Records[])
// and RabbitMQ batches (rmqMessagesByQueue).
function messagesOf(event) {
  if (Array.isArray(event?.Records)) return event.Records.map((r) => ({ id: r.messageId, body: r.body }));
  if (event?.rmqMessagesByQueue)
    return Object.values(event.rmqMessagesByQueue)
      .flat()
      .map((m) => ({ id: m.basicProperties?.messageId, body: Buffer.from(m.data, "base64").toString("utf8") }));
  throw new Error("not a queue batch: expected Records or rmqMessagesByQueue");
}

function processOrder(body) {
  const order = JSON.parse(body);
  if (typeof order.id !== "string" || !(order.quantity > 0)) throw new Error("an order needs an id and a quantity");
  console.log(`processed order ${order.id} x${order.quantity}`);
}

export const handler = async (event) => {
  const batchItemFailures = [];
  for (const m of messagesOf(event)) {
    try {
      processOrder(m.body);
    } catch (err) {
      console.error(`message ${m.id} failed: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: m.id });
    }
  }
  return { batchItemFailures };
};
