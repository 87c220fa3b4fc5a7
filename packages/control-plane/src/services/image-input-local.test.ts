import { StratusError } from "@stratus/shared";
import { describe, expect, it, vi } from "vitest";
import type { FunctionVersion } from "../domain.js";
import type { FunctionStore } from "../store/function-store.js";
import { newImageFunction, updateImageCode } from "./image-functions.js";
import { checkImageSource } from "./image-input.js";

const body = (uri: string) => ({
  FunctionName: "f",
  PackageType: "Image",
  Code: { ImageUri: uri },
  Role: "arn:aws:iam::123456789012:role/r",
});

describe("local image URIs at the API", () => {
  it("are refused by name unless the operator enabled them; registry URIs always pass", () => {
    expect(() => checkImageSource("my-fn:v1", false)).toThrow(/STRATUS_LOCAL_IMAGES/);
    expect(() => checkImageSource("team/fn:v1", false)).toThrow(StratusError);
    expect(() => checkImageSource("my-fn:v1", true)).not.toThrow();
    expect(() => checkImageSource("reg.io/fn:v1", false)).not.toThrow();
  });

  it("refuse CreateFunction (InvalidParameterValueException) when disabled, and take it when enabled", () => {
    expect(() => newImageFunction("1", body("my-fn:v1"))).toThrow(
      expect.objectContaining({ code: "InvalidParameterValueException" }),
    );
    expect(newImageFunction("1", body("my-fn:v1"), true).fn.image?.uri).toBe("my-fn:v1");
  });

  it("refuse UpdateFunctionCode when disabled, before the store is touched", async () => {
    const updateImage = vi.fn();
    const store = { updateImage } as unknown as FunctionStore;
    const current = { name: "f", accountId: "1", lastUpdate: { status: "Successful" } } as FunctionVersion;
    await expect(updateImageCode(store, current, { ImageUri: "my-fn:v2" })).rejects.toMatchObject({
      code: "InvalidParameterValueException",
    });
    expect(updateImage).not.toHaveBeenCalled();
  });
});
