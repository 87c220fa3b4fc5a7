// One function for each step of an order workflow (statemachine.asl.json): the state
// machine passes the step's name and the order so far; each step adds to the order.
const steps = {
  validate: (order) => {
    if (!Array.isArray(order.items) || order.items.length === 0) {
      const err = new Error("the order has no items");
      err.name = "InvalidOrder";
      throw err;
    }
    return { ...order, valid: true };
  },
  price: (order) => ({ ...order, total: order.items.reduce((sum, i) => sum + i.price * i.quantity, 0) }),
  confirm: (order) => ({ ...order, confirmation: `ORD-${order.total.toFixed(2)}-${order.items.length}` }),
};

export const handler = async (event) => {
  const step = steps[event.step];
  if (!step) throw new Error(`unknown step ${event.step}`);
  return step(event.order);
};
