// The sample function deployed by the README's up command.
exports.handler = async (event, context) => {
  const name = event?.name ?? "world";
  console.log(`saying hello to ${name}`);
  return {
    message: `Hello, ${name}! (from ${context.functionName}, ${context.memoryLimitInMB} MB, on Stratus)`,
    requestId: context.awsRequestId,
  };
};
