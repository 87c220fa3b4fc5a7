// Types for asl-validator 4 (the package ships JavaScript only).
declare module "asl-validator" {
  interface ValidationError {
    "Error code": string;
    Message: string;
  }
  interface Result {
    isValid: boolean;
    errors: ValidationError[];
  }
  function validator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): Result;
  export default validator;
}
